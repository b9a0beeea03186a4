"""The mails an enterprise receives: one Jinja pair (`<kind>.txt`, `<kind>.html`) per kind.

A new kind of enterprise mail is a new entry in `SUBJECTS` (which may name the kind's
details), a template pair, and a case in `mail_details`. The sign-in mail is not about an
enterprise event: `render_signin_link` gives it its link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from contracts.enterprises import (
    EnterpriseDelisted,
    EnterpriseEvent,
    EnterpriseListed,
    EnterpriseRecertificationDue,
    EnterpriseState,
    EnterpriseSupplementHidden,
    EnterpriseUpdated,
)
from contracts.signin import LINK_MINUTES, EditorSignInGranted, SignInGranted
from services.notifier.coalescing import is_essential
from services.notifier.domain import (
    days_left,
    days_left_text,
    describe_changes,
    dutch_date,
    editor_signin_url,
    hidden_field_names,
    label_name,
    listing_url,
    signin_url,
    supplement_url,
    visible_labels,
)

TEMPLATES = Path(__file__).parent / "templates"
MAX_SHOWN = 1000
"""The most characters of one value a mail shows (a name, a place, a change line)."""
_BREAKS = re.compile("[\t\n\v\f\r\x85\u2028\u2029]+")
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

SUBJECTS: dict[str, str] = {
    "listed": "U bent nu zichtbaar op {platform_name}",
    "updated": "Uw vermelding is gewijzigd",
    "delisted": "Uw vermelding is verwijderd",
    "recertification_due": "Vernieuw uw label uiterlijk op {valid_until}",
    "supplement_hidden": "Gegevens in uw vermelding zijn verborgen",
    "signin_link": "Uw inloglink voor {platform_name}",
    "editor_signin_link": "Uw inloglink voor de redactie van {hotspot_name}",
}


@dataclass(frozen=True)
class RenderedMail:
    """A mail's subject and its two bodies, ready to be addressed and sent."""

    kind: str
    subject: str
    text: str
    html: str


def template_environment() -> Environment:
    """Jinja with autoescaping for `.html` (enterprise names are untrusted), none for `.txt`;
    every value shown passes `shown`."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        finalize=shown,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The templates ship with the code: compiled once, never looked at again on disk.
        auto_reload=False,
    )


class MailRenderer:
    """Renders every kind of mail in Dutch for one platform."""

    def __init__(self, platform_name: str, public_base_url: str) -> None:
        self.platform_name = platform_name
        self.public_base_url = public_base_url
        self.env = template_environment()

    def render(self, kind: str, enterprise: EnterpriseState, **details: object) -> RenderedMail:
        """Render the mail `kind` about `enterprise`; `details` are that kind's own facts."""
        labels = visible_labels(enterprise)
        return self._render(
            kind, enterprise.enterprise_id, enterprise.name, labels=labels, **details
        )

    def render_event(
        self,
        event: EnterpriseEvent,
        *,
        changes: tuple[str, ...] | None = None,
        preferences_url: str | None = None,
    ) -> RenderedMail:
        """The mail that tells the enterprise about this event (the latest of a coalesced
        burst): a change mail lists `changes` (default: what the event's keys name); a mail
        the enterprise may stop links to its `preferences_url`."""
        details = mail_details(event)
        if changes is not None and isinstance(event, EnterpriseUpdated):
            details["changes"] = changes
        return self.render(
            event.kind,
            event.enterprise,
            preferences_url=preferences_url,
            essential=is_essential(event.kind),
            **details,
        )

    def render_signin_link(self, granted: SignInGranted, token: str) -> RenderedMail:
        """The mail with a sign-in link carrying `token`, on this platform's own address."""
        link = signin_url(self.public_base_url, token)
        return self._render(
            "signin_link",
            granted.enterprise_id,
            granted.enterprise_name,
            signin_url=link,
            minutes=LINK_MINUTES,
            email=granted.email,
        )

    def render_editor_signin_link(self, granted: EditorSignInGranted, token: str) -> RenderedMail:
        """The mail with a hotspot editor's sign-in link carrying `token`."""
        area = f"{self.public_base_url.rstrip('/')}/redactie/{granted.hotspot}"
        context = {
            "platform_name": self.platform_name,
            "home_url": self.public_base_url,
            "hotspot_name": granted.hotspot_name,
            "signin_url": editor_signin_url(self.public_base_url, token),
            "request_url": f"{area}/inloggen",
            "minutes": LINK_MINUTES,
            "email": granted.email,
            "preferences_url": None,
            "essential": False,
        }
        kind = "editor_signin_link"
        return RenderedMail(
            kind=kind,
            subject=SUBJECTS[kind].format(hotspot_name=shown(granted.hotspot_name)),
            text=self.env.get_template(f"{kind}.txt").render(context),
            html=self.env.get_template(f"{kind}.html").render(context),
        )

    def _render(
        self, kind: str, enterprise_id: str, enterprise_name: str, **details: object
    ) -> RenderedMail:
        context = {
            "platform_name": self.platform_name,
            "home_url": self.public_base_url,
            "enterprise_name": enterprise_name,
            "listing_url": listing_url(self.public_base_url, enterprise_id),
            "supplement_url": supplement_url(self.public_base_url, enterprise_id),
            **details,
        }
        context.setdefault("preferences_url", None)
        context.setdefault("essential", False)
        return RenderedMail(
            kind=kind,
            subject=SUBJECTS[kind].format(platform_name=self.platform_name, **details),
            text=self.env.get_template(f"{kind}.txt").render(context),
            html=self.env.get_template(f"{kind}.html").render(context),
        )


def shown(value: object) -> object:
    """A value as a mail may show it: on one line (a name's line break would start a line
    of its own that looks like ours), without control characters (NUL) or the
    bidirectional overrides that reorder what the reader sees, cut to `MAX_SHOWN`
    characters; other values unchanged."""
    if not isinstance(value, str) or isinstance(value, Markup):
        return value
    text = _HIDDEN.sub("", _BREAKS.sub(" ", value))
    return text if len(text) <= MAX_SHOWN else f"{text[: MAX_SHOWN - 1]}…"


def mail_details(event: EnterpriseEvent) -> dict[str, object]:
    """The facts of the event that its kind of mail names, as Dutch text."""
    match event:
        case EnterpriseListed():
            return {}
        case EnterpriseUpdated():
            return {"changes": describe_changes(event.changes, event.enterprise)}
        case EnterpriseDelisted():
            return {
                "reason": event.reason,
                "place": event.enterprise.place,
                "lapsed_label": label_name(event.lapsed_label) if event.lapsed_label else None,
                "lapsed_on": dutch_date(event.lapsed_on) if event.lapsed_on else None,
            }
        case EnterpriseRecertificationDue():
            days = days_left(event.valid_until, event.occurred_at)
            return {
                "label": label_name(event.label),
                "valid_until": dutch_date(event.valid_until),
                "days_left": days_left_text(days),
            }
        case EnterpriseSupplementHidden():
            return {"fields": hidden_field_names(event.fields), "reason": event.reason}
