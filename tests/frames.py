"""Small tables for the tests, built as :func:`llmecon.data.load_table` returns them (dates parsed)."""

import pandas as pd

PRICE_COLUMNS = ["model_id", "seller", "api_name", "input_usd_per_mtok", "output_usd_per_mtok",
                 "effective_from", "effective_to", "confidence", "as_of"]


def price_rows(*records) -> pd.DataFrame:
    """A prices table of ``records``, each a tuple in the order of :data:`PRICE_COLUMNS` (prices in USD per
    million tokens, dates as ISO strings or None)."""
    frame = pd.DataFrame(records, columns=PRICE_COLUMNS)
    for c in ("effective_from", "effective_to", "as_of"):
        frame[c] = pd.to_datetime(frame[c])
    return frame
