"""`CatalogueLoader`: where the catalogue on screen comes from (stale-while-revalidate).

The cached catalogue is painted at once; once that frame is out, the API is asked for
the catalogue in the background (an exclusive worker in group `catalogue-refresh`), and
what comes back replaces the rows and is written to the cache (a thread worker in group
`catalogue-cache`). The status line says where the rows came from and how fresh they are.

Imported before the first frame: the cache module, and the network, wait until then.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from bytez_tui.catalogue.index import CatalogueIndex
from bytez_tui.errors import BytezError

if TYPE_CHECKING:
    from textual.worker import Worker

    from bytez_tui.models import ModelInfo
    from bytez_tui.panes.catalogue.pane import CataloguePane

__all__ = ["CatalogueLoader"]


def _sorted_index(models: list[ModelInfo]) -> CatalogueIndex:
    return CatalogueIndex.from_models(models).sorted_by("id")


def release_freed_memory() -> None:
    """Ask the C allocator to return freed heap pages to the system (glibc's `malloc_trim`;
    a no-op elsewhere). Called after the index is built and again after the cache write."""
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


class CatalogueLoader:
    """Paints the cached catalogue, then refreshes it from the API and caches it.

    Args:
        pane: The pane that shows the catalogue (`show_catalogue`) and owns the workers.
    """

    def __init__(self, pane: CataloguePane) -> None:
        self.started = False
        """`start` was called: the first load is under way or over."""
        self._pane = pane

    def start(self, then: Callable[[], object] | None = None) -> None:
        """Paint the cached catalogue; once it is drawn, refresh it and call `then`."""
        from bytez_tui.catalogue.cache import catalogue_key, load_cached

        if self.started:
            return
        self.started = True
        pane = self._pane
        pane.status.update_freshness(refreshing=True)
        cached = load_cached(catalogue_key(pane.settings.store_key, pane.api.dialect))

        def drawn() -> None:
            self.refresh()
            if then is not None:
                then()

        if cached is None:
            drawn()
        else:
            pane.show_catalogue(cached.index, fetched_at=cached.fetched_at, cached=True)
            pane.table.call_after_paint(drawn)

    def refresh(self) -> Worker[None]:
        """Fetch the catalogue in the background; the rows on screen stay until it lands."""
        self._pane.status.update_freshness(refreshing=True)
        return self._pane.run_worker(
            self._fetch,
            name="_fetch",
            group="catalogue-refresh",
            description="Refreshing catalogue",
            exclusive=True,
            exit_on_error=False,
        )

    async def _fetch(self) -> None:
        pane = self._pane
        try:
            models = await pane.call_api(lambda client: client.list_models())
        except BytezError as error:
            pane.status.update_freshness(refreshing=False, error=error)
            if pane.index is None:  # with rows on screen, the status line says it
                pane.table.empty_text = f"Could not load the catalogue: {error.message}. R retries."
                pane.table.refresh()
                pane.report(error, title="Catalogue")
            return
        fetched_at = pane.clock.now()
        # ~40 ms at 100,000 models: in a thread, so keys keep flowing between GIL slices.
        index = await asyncio.to_thread(_sorted_index, models)
        del models
        await asyncio.to_thread(release_freed_memory)
        pane.status.update_freshness(refreshing=False, error=None)
        pane.show_catalogue(index, fetched_at=fetched_at, cached=False)
        self._pane.run_worker(
            partial(self._save, index, fetched_at),
            name="_save",
            group="catalogue-cache",
            description="Saving catalogue cache",
            exclusive=True,
            exit_on_error=False,
            thread=True,
        )

    def _save(self, index: CatalogueIndex, fetched_at: datetime) -> None:
        from bytez_tui.catalogue.cache import catalogue_key, save_cache

        pane = self._pane
        key = catalogue_key(pane.settings.store_key, pane.api.dialect)  # known by now
        try:
            save_cache(index, fetched_at=fetched_at, store_key=key)
        except OSError as error:
            self._pane.app.call_from_thread(
                self._pane.notify, f"Could not cache the catalogue: {error}", severity="warning"
            )
        # The refresh is over (the other panes have the new catalogue by now, and the
        # old one is gone): what it freed can go back. ~19 MB at 100,000 models.
        release_freed_memory()
