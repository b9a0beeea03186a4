"""Where the notifier's own facts go: the hash of each sign-in link it mails, to JetStream
(acked, deduplicated by event id), or a list in tests."""

from __future__ import annotations

import abc

from faststream.nats import NatsBroker

from contracts.signin import EditorLinkIssued, SignInLinkIssued
from contracts.subjects import SIGNINS_STREAM, signin_subject
from services.kit.jetstream import publish_event
from services.kit.publications import Publication

LINK_ISSUED = signin_subject("link_issued")
EDITOR_LINK_ISSUED = signin_subject("editor_link_issued")
PUBLICATIONS = (
    Publication(
        LINK_ISSUED,
        SignInLinkIssued,
        SIGNINS_STREAM,
        "notifier/to_signin_link_issued",
        "SignInLinkIssued: the hash of a sign-in link, published (and acked) before the link "
        "is mailed",
    ),
    Publication(
        EDITOR_LINK_ISSUED,
        EditorLinkIssued,
        SIGNINS_STREAM,
        "notifier/to_editor_link_issued",
        "EditorLinkIssued: the hash of a hotspot editor's sign-in link, published (and acked) "
        "before the link is mailed",
    ),
)


class LinkPublisher(abc.ABC):
    """Publishes that a sign-in link was issued, returning only once it is stored."""

    @abc.abstractmethod
    async def publish_link(self, issued: SignInLinkIssued) -> None:
        """Publish `issued`; raises when it cannot be confirmed."""

    @abc.abstractmethod
    async def publish_editor_link(self, issued: EditorLinkIssued) -> None:
        """Publish an editor's `issued`; raises when it cannot be confirmed."""


class JetStreamLinkPublisher(LinkPublisher):
    """Publishes on `impact.v1.signin.link_issued` with `Nats-Msg-Id` = event id, awaiting
    the stream's ack."""

    def __init__(self, broker: NatsBroker, timeout: float = 5.0) -> None:
        self.broker = broker
        self.timeout = timeout

    async def publish_link(self, issued: SignInLinkIssued) -> None:
        await publish_event(
            self.broker, LINK_ISSUED, issued, stream=SIGNINS_STREAM, timeout=self.timeout
        )

    async def publish_editor_link(self, issued: EditorLinkIssued) -> None:
        await publish_event(
            self.broker, EDITOR_LINK_ISSUED, issued, stream=SIGNINS_STREAM, timeout=self.timeout
        )


class FakeLinkPublisher(LinkPublisher):
    """Keeps what was published; `failures` are raised, one per publish, before any succeeds."""

    def __init__(self) -> None:
        self.issued: list[SignInLinkIssued] = []
        self.editor_issued: list[EditorLinkIssued] = []
        self.failures: list[Exception] = []

    async def publish_link(self, issued: SignInLinkIssued) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.issued.append(issued)

    async def publish_editor_link(self, issued: EditorLinkIssued) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.editor_issued.append(issued)
