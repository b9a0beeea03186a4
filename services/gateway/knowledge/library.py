"""The knowledge pages: Markdown files beside a manifest naming each page's title, version,
date and sources, read and checked together; and `Knowledge`, which holds them with the
building-block model for the app."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

from markupsafe import Markup
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from contracts.hotspots import source_link
from services.gateway.knowledge.model import SHIPPED_MODEL, BuildingBlockModel, load_model
from services.gateway.knowledge.rendering import make_renderer

PAGES_DIR = Path(__file__).resolve().parent / "pages"
MANIFEST = "manifest.json"


class PageSource(BaseModel):
    """A published page the text relies on."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    title: Annotated[str, Field(min_length=1, max_length=300)]
    url: Annotated[str, AfterValidator(source_link)]


class PageEntry(BaseModel):
    """One page in the manifest: its address, title, version and sources."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    slug: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    summary: Annotated[str, Field(min_length=1, max_length=400)]
    version: Annotated[int, Field(ge=1)]
    updated: date
    sources: tuple[PageSource, ...] = Field(
        description="Published pages the text relies on; none for a page about this platform"
    )
    shows_model: bool = False


class Manifest(BaseModel):
    """Every knowledge page, in the order the index lists them."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    pages: Annotated[tuple[PageEntry, ...], Field(min_length=1)]


@dataclass(frozen=True)
class KnowledgePage:
    """A page ready to show: its manifest entry and its Markdown rendered to safe HTML."""

    entry: PageEntry
    html: Markup


class PagesError(ValueError):
    """The knowledge pages cannot be read or break their rules; the message says where."""


def load_pages(directory: Path = PAGES_DIR) -> dict[str, KnowledgePage]:
    """Every page named in the manifest, rendered, by slug in manifest order."""
    manifest = _read_manifest(directory / MANIFEST)
    slugs = [entry.slug for entry in manifest.pages]
    if len(set(slugs)) != len(slugs):
        raise PagesError(f"{directory / MANIFEST}: two pages share a slug")
    unlisted = sorted({path.stem for path in directory.glob("*.md")} - set(slugs))
    if unlisted:
        raise PagesError(f"{directory}: Markdown without a manifest entry: {', '.join(unlisted)}")
    renderer = make_renderer()
    pages = {}
    for entry in manifest.pages:
        path = directory / f"{entry.slug}.md"
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PagesError(f"{path}: cannot be read ({exc})") from None
        tokens = renderer.parse(text)
        if not tokens:
            raise PagesError(f"{path}: is empty")
        if any(token.type == "heading_open" and token.tag == "h1" for token in tokens):
            raise PagesError(f"{path}: starts its own level-1 heading; the title is the page's")
        # Safe: the renderer writes raw HTML as text and keeps unsafe links inert.
        html = Markup(renderer.renderer.render(tokens, renderer.options, {}))  # noqa: S704
        pages[entry.slug] = KnowledgePage(entry, html)
    return pages


def _read_manifest(path: Path) -> Manifest:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PagesError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PagesError(f"{path}: is not valid JSON ({exc})") from None
    try:
        return Manifest.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        )
        raise PagesError(f"{path}: {problems}") from None


class Knowledge:
    """The knowledge pages and the building-block model, read once on first use (or at
    start-up through `load`, so that a broken file stops the gateway with its reason)."""

    def __init__(
        self,
        pages_dir: Path = PAGES_DIR,
        model_file: Path = SHIPPED_MODEL,
        *,
        allow_test_data: bool = False,
    ) -> None:
        self._pages_dir = pages_dir
        self._model_file = model_file
        self._allow_test_data = allow_test_data
        self._lock = threading.Lock()
        self._pages: dict[str, KnowledgePage] | None = None
        self._model: BuildingBlockModel | None = None

    def load(self) -> None:
        """Read and check both; raises `PagesError` or `ModelFileError`."""
        _ = self.pages, self.model

    @property
    def pages(self) -> dict[str, KnowledgePage]:
        """Every page by slug, in the index's order."""
        with self._lock:
            if self._pages is None:
                self._pages = load_pages(self._pages_dir)
            return self._pages

    @property
    def model(self) -> BuildingBlockModel:
        """The building-block model in use."""
        with self._lock:
            if self._model is None:
                self._model = load_model(self._model_file, allow_test_data=self._allow_test_data)
            return self._model
