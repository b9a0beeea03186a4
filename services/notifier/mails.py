"""The mails an enterprise receives: one Jinja pair (`<kind>.txt`, `<kind>.html`) per kind.

A new kind of mail (e.g. `recertification_due`) is a new entry in `SUBJECTS`, a template
pair, and a call `render("recertification_due", enterprise, valid_until=...)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from contracts.enterprises import (
    EnterpriseDelisted,
    EnterpriseListed,
    EnterpriseState,
    EnterpriseUpdated,
)
from services.notifier.domain import (
    describe_changes,
    dutch_date,
    label_name,
    listing_url,
    visible_labels,
)

TEMPLATES = Path(__file__).parent / "templates"

SUBJECTS: dict[str, str] = {
    "listed": "U bent nu zichtbaar op {platform_name}",
    "updated": "Uw vermelding is gewijzigd",
    "delisted": "Uw vermelding is verwijderd",
}

EnterpriseEvent = EnterpriseListed | EnterpriseUpdated | EnterpriseDelisted


@dataclass(frozen=True)
class RenderedMail:
    """A mail's subject and its two bodies, ready to be addressed and sent."""

    kind: str
    subject: str
    text: str
    html: str


def template_environment() -> Environment:
    """Jinja with autoescaping for `.html` (enterprise names are untrusted), none for `.txt`."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


class MailRenderer:
    """Renders every kind of mail in Dutch for one platform."""

    def __init__(self, platform_name: str, public_base_url: str) -> None:
        self.platform_name = platform_name
        self.public_base_url = public_base_url
        self.env = template_environment()

    def render(self, kind: str, enterprise: EnterpriseState, **details: object) -> RenderedMail:
        """Render the mail `kind` about `enterprise`; `details` are that kind's own facts."""
        context = {
            "platform_name": self.platform_name,
            "home_url": self.public_base_url,
            "enterprise_name": enterprise.name,
            "listing_url": listing_url(self.public_base_url, enterprise.enterprise_id),
            "labels": visible_labels(enterprise),
            **details,
        }
        return RenderedMail(
            kind=kind,
            subject=SUBJECTS[kind].format(platform_name=self.platform_name),
            text=self.env.get_template(f"{kind}.txt").render(context),
            html=self.env.get_template(f"{kind}.html").render(context),
        )

    def render_event(self, event: EnterpriseEvent) -> RenderedMail:
        """The mail that tells the enterprise about this event."""
        if isinstance(event, EnterpriseUpdated):
            return self.render("updated", event.enterprise, changes=describe_changes(event.changes))
        if isinstance(event, EnterpriseDelisted):
            return self.render(
                "delisted",
                event.enterprise,
                lapsed_label=label_name(event.lapsed_label),
                lapsed_on=dutch_date(event.lapsed_on),
            )
        return self.render("listed", event.enterprise)
