"""What the registry publishes (from its outbox): its publisher refuses any other subject,
and its AsyncAPI document lists exactly these."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from contracts.enterprises import (
    AnyEnterpriseEvent,
    EnterpriseDelisted,
    EnterpriseListed,
    EnterpriseSupplementHidden,
    EnterpriseUpdated,
)
from contracts.signin import SignInGranted
from contracts.subjects import (
    ALL_ENTERPRISE_EVENTS,
    ALL_ENTERPRISE_STATES,
    ENTERPRISE_STATES_STREAM,
    ENTERPRISES_STREAM,
    SIGNINS_STREAM,
    signin_subject,
)
from services.kit.publications import Publication

# What ENTERPRISE_STATES holds: the kinds that tell a new state (handlers.STATE_KINDS).
EnterpriseStateEvent = Annotated[
    EnterpriseListed | EnterpriseUpdated | EnterpriseDelisted | EnterpriseSupplementHidden,
    Field(discriminator="kind"),
]
PUBLICATIONS = (
    Publication(
        ALL_ENTERPRISE_EVENTS,
        AnyEnterpriseEvent,
        ENTERPRISES_STREAM,
        "registry/to_enterprise_event",
        "EnterpriseListed / EnterpriseUpdated / EnterpriseDelisted / "
        "EnterpriseRecertificationDue / EnterpriseSupplementHidden, published from the outbox "
        "to impact.v1.enterprises.<province>.<region>.<kind>",
    ),
    Publication(
        ALL_ENTERPRISE_STATES,
        EnterpriseStateEvent,
        ENTERPRISE_STATES_STREAM,
        "registry/to_enterprise_state",
        "Each enterprise's latest EnterpriseListed / EnterpriseUpdated / EnterpriseDelisted / "
        "EnterpriseSupplementHidden, published from the outbox beside its enterprise event to "
        "impact.v1.states.<province>.<region>.<enterprise_id> (ENTERPRISE_STATES keeps one "
        "message per subject: the present)",
    ),
    Publication(
        signin_subject("granted"),
        SignInGranted,
        SIGNINS_STREAM,
        "registry/to_sign_in_granted",
        "A sign-in the registry trusts (or an operator approved), from the outbox",
    ),
)
