"""Monthly stock returns (a real multivariate sequence set shipped with matplotlib)."""

import numbers

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

__all__ = ["load_stock_returns"]

#: The series observed in every month of the file.
COMPLETE_SERIES = ["IBM", "AAPL", "MSFT", "XRX", "ADBE", "^GSPC", "^IXIC"]


def _read_prices():
    from matplotlib import cbook

    try:
        path = cbook.get_sample_data("Stocks.csv", asfileobj=False)
    except (OSError, ValueError) as exc:  # pragma: no cover - a broken matplotlib install
        raise FileNotFoundError(
            "matplotlib's sample file Stocks.csv was not found; reinstall matplotlib "
            "(pip install --force-reinstall matplotlib)."
        ) from exc
    prices = pd.read_csv(path, comment="#", parse_dates=["Date"], index_col="Date")
    # the file interleaves a few dividend dates with no prices at all: keep the month ends
    return prices.dropna(how="all").astype(float)


def load_stock_returns(*, window=24, stride=12):
    """Load monthly log returns of eight stocks and two indices, cut into windows.

    The prices are matplotlib's sample file ``Stocks.csv`` (monthly closes
    from Yahoo Finance, January 1990 to June 2022, of IBM, AAPL, MSFT, XRX,
    AMZN, DELL, GOOGL, ADBE and the S&P 500 and NASDAQ composite indices), so
    nothing is downloaded: matplotlib is a dependency of sksynth. Returns are
    ``100 * log(p_t / p_{t-1})`` in percent. Months before a listing (AMZN
    until 1997, GOOGL until 2004, DELL outside 2016-2022) are NaN.
    :class:`~sksynth.generators.SLDSVAE` treats a time step with any NaN as
    missing, so for it select columns first, e.g. the seven series complete
    over the whole period (``COMPLETE_SERIES``). Market regimes (calm,
    volatile) make it a natural switching-dynamics set.

    Parameters
    ----------
    window : int, default=24
        Months per sequence.
    stride : int, default=12
        Months between the starts of consecutive windows (``stride < window``
        gives overlapping windows).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data``: ndarray of shape (n_windows, window, 10), the windows;
        ``frame``: DataFrame of shape (n_months, 10), the whole return series
        indexed by month; ``window_start``: DatetimeIndex of the first month of
        each window; ``feature_names``: the ten tickers; ``complete``: boolean
        mask of the series observed in every month; ``DESCR``.

    Examples
    --------
    >>> from sksynth.datasets import load_stock_returns
    >>> stocks = load_stock_returns(window=24, stride=12)
    >>> stocks.data.shape
    (31, 24, 10)
    >>> stocks.feature_names[:3]
    ['IBM', 'AAPL', 'MSFT']
    """
    for name, value in (("window", window), ("stride", stride)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be a positive int (months); got {value!r}.")
        if value < 1:
            raise ValueError(f"{name} must be a positive int (months); got {value!r}.")
    prices = _read_prices()
    returns = 100.0 * np.log(prices).diff().iloc[1:]
    n_months = len(returns)
    if window > n_months:
        raise ValueError(f"window={window} is longer than the {n_months} months of returns; "
                         "choose a shorter window.")
    starts = np.arange(0, n_months - window + 1, stride)
    values = returns.to_numpy()
    data = np.stack([values[s:s + window] for s in starts])
    return Bunch(
        data=data,
        frame=returns,
        window_start=returns.index[starts],
        feature_names=list(returns.columns),
        complete=np.asarray([c in COMPLETE_SERIES for c in returns.columns]),
        DESCR=load_stock_returns.__doc__.split("Parameters")[0].strip(),
    )
