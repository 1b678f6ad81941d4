"""
History into the catalog: ``bitget-nt download`` (venue REST history) and ``bitget-nt
import-tardis`` (Tardis CSV files of ``bitget-futures``).

Both write through the recorder's crash-safe ``CatalogWriter`` (disjoint intervals,
temp-then-rename), so a re-run writes nothing twice and an interrupted run leaves a readable
catalog; both build the same Nautilus objects as the live data client (same parsers, same
``CryptoPerpetual`` from the contracts endpoint) and leave a session manifest.
"""
