"""Regular time indexes: infer their step and extend them into the future.

A series in tsforecast is indexed either by a :class:`pandas.DatetimeIndex` with an
inferable frequency or by integer time (a :class:`pandas.RangeIndex`, as in M4).
"""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

from ..exceptions import InputTypeError, InsufficientDataError, InvalidInputError
from .silencing import silenced

__all__ = ["regularize_index", "future_index", "season_length_of_freq", "season_rule", "as_timestamps", "as_periods",
           "read_day_first", "read_iso8601", "likely_freq", "reads_as_dates", "date_reading", "to_datetime_code",
           "tz_name"]


def _preview(index: pd.Index, limit: int = 5) -> str:
    values = list(index[:limit])
    suffix = ", ..." if len(index) > limit else ""
    return "[" + ", ".join(str(v) for v in values) + suffix + "]"


def _sort_hint(long: bool) -> str:
    return 'data.sort_values(["unique_id", "ds"])' if long else "data.sort_index()"


def likely_freq(index: pd.DatetimeIndex, *, or_commonest: bool = False) -> str | None:
    """The data's own frequency around its gaps: the one whose grid holds every timestamp
    with the fewest rows to insert (business days read as daily from Monday to Wednesday:
    'D' would insert every weekend), of those runs of three timestamps have and the
    calendar steps pandas does not infer from three (semi-months, every second business
    day); None where no grid holds them all, for a hint to follow must lose no timestamp
    (monthly data on the 15th is no multiple of days).

    ``or_commonest`` answers, where no grid holds them all, the frequency most runs have
    (to measure how close the timestamps come to a grid, never to advise one).
    """
    seen: dict[str, int] = {}
    with silenced():
        for i in range(min(len(index) - 2, 60)):
            freq = pd.infer_freq(index[i : i + 3])
            if freq is not None:
                seen[freq] = seen.get(freq, 0) + 1
    fits = []
    for freq in {**dict.fromkeys(_candidates(seen)), **seen}:
        grid = pd.date_range(index[0], index[-1], freq=freq)
        if len(grid) <= 10 * len(index) and _holds(grid, index):
            fits.append((len(grid), -seen.get(freq, 0), freq))
    if fits:
        return min(fits)[2]
    return max(seen, key=seen.get) if seen and or_commonest else None


def _holds(grid: pd.DatetimeIndex, index: pd.DatetimeIndex) -> bool:
    """Whether ``grid`` holds every timestamp of ``index`` with some two of them neighbours
    on it: a grid finer than the data at every step (semi-months for monthly data on the
    15th) would insert a row between every two, not repair gaps."""
    positions = grid.get_indexer(index)
    return bool((positions >= 0).all()) and (len(index) < 2 or int(np.diff(positions).min()) == 1)


def _candidates(seen: dict[str, int]) -> list[str]:
    """Grids that runs of three timestamps cannot name: semi-months and the calendar steps,
    and k business days where k days were seen (every second business day reads as '2D'
    from Monday to Friday)."""
    days = [freq[:-1] for freq in seen if freq.endswith("D") and freq[:-1].isdigit()]
    return ["B", "SMS", "SME", *(f"{k}B" for k in days), *_CALENDAR_STEPS]


def _check_order(index: pd.Index, name: str, long: bool = False) -> None:
    if isinstance(index, pd.DatetimeIndex) and index.hasnans:
        # NaT would otherwise be reported as an unsorted or duplicated timestamp.
        where = np.flatnonzero(index.isna())
        raise InvalidInputError(
            f"{name} has {len(where)} missing timestamp(s) (NaT) in its index, at position(s) "
            f"{where[:5].tolist()}; drop or repair those rows first."
        )
    if index.is_monotonic_increasing and index.is_unique:  # the common case: one cheap pass
        return
    if index.has_duplicates:
        dupes = index[index.duplicated()].unique()
        raise InvalidInputError(
            f"{name} has duplicated timestamps: {_preview(dupes)}; each time step must appear once."
        )
    if not index.is_monotonic_increasing:
        bad = int(np.argmax(np.diff(index.asi8 if isinstance(index, pd.DatetimeIndex) else np.asarray(index)) < 0))
        raise InvalidInputError(
            f"{name} has an unsorted time index: {index[bad]!s} is followed by {index[bad + 1]!s}; "
            f"sort it first (for example {_sort_hint(long)})."
        )


#: Calendar frequencies two timestamps may be one step of, in the order they are tried
#: (months before quarters before years; a business day only over a weekend).
_CALENDAR_STEPS = ("MS", "ME", "QS-JAN", "QS-FEB", "QS-MAR", "QE-DEC", "QE-JAN", "QE-FEB",
                   *(f"YS-{m}" for m in ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV",
                                         "DEC")),
                   *(f"YE-{m}" for m in ("DEC", "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
                                         "NOV")))


def _calendar_step(first: pd.Timestamp, second: pd.Timestamp):
    """The calendar frequency of which ``second`` is the step after ``first`` (two month
    ends, two quarter starts, Friday then Monday), or None: what pandas cannot infer from
    two timestamps (it reads 2024-01-31, 2024-02-29 as business month ends, two month
    starts as '31D')."""
    if (second - first) < pd.Timedelta(days=28):
        friday_to_monday = first.day_of_week == 4 and second - first == pd.Timedelta(days=3)
        return pd.tseries.frequencies.to_offset("B") if friday_to_monday else None
    for alias in _CALENDAR_STEPS:
        offset = pd.tseries.frequencies.to_offset(alias)
        if offset.is_on_offset(first) and first + offset == second:
            return offset
    return None


def _regular_datetime(index: pd.DatetimeIndex, name: str, long: bool = False) -> pd.DatetimeIndex:
    freq = index.freq
    if freq is None and len(index) == 2:
        freq = _calendar_step(index[0], index[1])
    if freq is None and len(index) >= 2:
        # Two timestamps: infer from them plus the next step, so that a 2-row daily series
        # gets "D" like a longer one, not "24h" (a different offset in pandas 3).
        probe = index if len(index) >= 3 else index.append(index[-1:] + (index[1] - index[0]))
        # pandas 3 announces that infer_freq will return an offset; both forms are accepted below.
        with silenced(DeprecationWarning):
            freq = pd.infer_freq(probe)
    if freq is None and len(index) == 2:
        freq = pd.tseries.frequencies.to_offset(index[1] - index[0])
    likely = likely_freq(index) if freq is None and len(index) >= 3 else None
    if likely is not None:
        freq = _gapless_grid(index, likely)
    if freq is None:
        if len(index) < 2:
            raise InsufficientDataError(
                f"{name} has {len(index)} timestamp(s); at least 2 are needed to know its frequency."
            )
        steps = pd.Series(index[1:] - index[:-1]).value_counts()
        example = (f"data.asfreq({likely!r})" if likely is not None else "data.asfreq(FREQ)") + (
            " per series (or the CLI's --freq)" if long else "")
        unnamed = "" if likely is not None else (
            "; no frequency pandas names has a grid that holds every timestamp, so choose the grid you mean")
        raise InvalidInputError(
            f"{name} has an irregular DatetimeIndex (no frequency can be inferred; steps seen: "
            f"{', '.join(str(s) for s in steps.index[:3])}{unnamed}); resample it to a regular frequency first "
            f"(for example {example}, then fill= repairs the NaN rows it inserts)."
        )
    return pd.DatetimeIndex(index, freq=freq)


def _gapless_grid(index: pd.DatetimeIndex, likely: str) -> str | None:
    """``likely`` (:func:`likely_freq`, a grid pandas does not infer from the timestamps:
    semi-months, every second business day) where ``index`` takes every step of it, or
    None: such data is regular, and a long frame (which carries no ``freq``) had no way to
    say so, while the hint told it to resample to the grid it was on."""
    return likely if pd.date_range(index[0], periods=len(index), freq=likely).equals(index) else None


def _regular_integer(index: pd.Index, name: str) -> pd.RangeIndex:
    if isinstance(index, pd.RangeIndex):
        return index
    values = np.asarray(index, dtype=np.int64)
    if len(values) == 1:
        return pd.RangeIndex(values[0], values[0] + 1)
    steps = np.unique(np.diff(values))
    if len(steps) != 1:
        raise InvalidInputError(
            f"{name} has an irregular integer time index (steps seen: {steps[:3].tolist()}); "
            "integer time must advance by a constant step."
        )
    return pd.RangeIndex(values[0], values[-1] + steps[0], steps[0])


def regularize_index(index: pd.Index, name: str = "y", long: bool = False) -> pd.Index:
    """Check that ``index`` is a sorted, unique, regular time index and return it with
    its step attached (``freq`` for dates, a :class:`~pandas.RangeIndex` for integers).

    Parameters
    ----------
    index : pandas.Index
        A DatetimeIndex or an integer index.
    name : str
        The argument's name, used in error messages.
    long : bool
        The index is one series of a long frame (``unique_id``, ``ds``): hints say so.

    Returns
    -------
    pandas.DatetimeIndex or pandas.RangeIndex

    Raises
    ------
    InputTypeError
        The index is neither datetime nor integer (for example strings, or timestamps
        with mixed time zones, which pandas keeps as objects).
    InvalidInputError
        The index is unsorted, duplicated or irregular.

    Examples
    --------
    >>> import pandas as pd
    >>> regularize_index(pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-03"])).freqstr
    'D'
    """
    if len(index) == 0:
        raise InsufficientDataError(f"{name} is empty (0 rows); a series needs at least one value.")
    if isinstance(index, pd.DatetimeIndex):
        _check_order(index, name, long)
        return _regular_datetime(index, name, long)
    if pd.api.types.is_integer_dtype(index.dtype):
        _check_order(index, name, long)
        return _regular_integer(index, name)
    kinds = sorted({type(v).__name__ for v in index[:50]})
    reading = date_reading(index) if kinds == ["str"] else None
    hint = (
        " Timestamps with mixed time zones must be converted to one zone first (pd.to_datetime(..., utc=True))."
        if "Timestamp" in kinds or "datetime" in kinds
        else " They read as timestamps of different UTC offsets (daylight saving time, as to_csv writes a local "
             "time): convert them first (data.index = pd.to_datetime(data.index, utc=True)), then "
             "data.index.tz_convert(zone) for local time."
        if reading == "utc=True"
        else f" They read as dates: convert them first (data.index = {to_datetime_code(index, 'data.index')})."
        if reading is not None
        else ""
    )
    raise InputTypeError(
        f"{name} must be indexed by a DatetimeIndex or integer time; got an index of dtype "
        f"{index.dtype} (values of type {', '.join(kinds)}), for example {_preview(index, 3)}.{hint}"
    )


def tz_name(tz) -> str | None:
    """A name of time zone ``tz`` that pandas reads back as the same zone (a time axis keeps
    its zone as text, plain to save and compare).

    ``str(tz)`` is such a name for zoneinfo, pytz and fixed offsets, not for dateutil's zones
    (``tzfile('/usr/share/zoneinfo/Europe/Berlin')``): those are named ``dateutil/Europe/Berlin``.

    Examples
    --------
    >>> import dateutil.tz
    >>> tz_name(dateutil.tz.gettz("Europe/Berlin")), tz_name(dateutil.tz.tzutc())
    ('dateutil/Europe/Berlin', 'UTC')

    Raises
    ------
    InputTypeError
        No name reads back as ``tz`` (a zone of the user's own making).
    """
    if tz is None:
        return None
    for name in _tz_candidates(tz):
        try:
            back = pd.DatetimeTZDtype(tz=name).tz
        except (ValueError, TypeError, KeyError, OSError):  # unknown zone names raise KeyError subclasses
            continue
        if _same_offsets(back, tz):
            return name
    raise InputTypeError(
        f"the time zone {tz!r} has no name pandas reads back as the same zone; convert the timestamps to a "
        "named zone first (for example index.tz_convert('Europe/Berlin'))."
    )


def _tz_candidates(tz):
    """Names ``tz`` may go by, the likeliest first."""
    yield str(tz)
    filename = getattr(tz, "_filename", None)  # a dateutil zone read from a file: its IANA key inside the path
    if isinstance(filename, str):
        yield "dateutil/" + filename.replace("\\", "/").rsplit("zoneinfo/", 1)[-1]
        yield "dateutil/" + filename
    offset = tz.utcoffset(datetime.datetime(2000, 1, 1))
    if offset is not None and offset == tz.utcoffset(datetime.datetime(2000, 7, 1)):  # a fixed offset
        minutes = int(offset.total_seconds()) // 60
        yield "UTC" if minutes == 0 else f"{'+' if minutes > 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _same_offsets(one, other) -> bool:
    """Whether two zones agree on the UTC offset of a sample of instants (winters and summers
    from 1970 to 2040)."""
    for year in range(1970, 2041, 5):
        for month in (1, 4, 7, 10):
            instant = datetime.datetime(year, month, 1, tzinfo=datetime.timezone.utc)
            if instant.astimezone(one).utcoffset() != instant.astimezone(other).utcoffset():
                return False
    return True


def future_index(index: pd.Index, horizon: int) -> pd.Index:
    """The ``horizon`` time steps that follow a regular ``index``.

    Examples
    --------
    >>> import pandas as pd
    >>> list(future_index(pd.RangeIndex(0, 10), 3))
    [10, 11, 12]
    """
    if isinstance(index, pd.DatetimeIndex):
        return pd.date_range(index[-1] + index.freq, periods=horizon, freq=index.freq, name=index.name)
    step = index.step if isinstance(index, pd.RangeIndex) else 1
    start = index[-1] + step
    return pd.RangeIndex(start, start + step * horizon, step, name=index.name)


#: Sub-daily steps of at least this many seconds get a daily season (24 hourly, 48
#: half-hourly, 96 quarter-hourly, at most 144 steps); shorter steps an hourly one (60 for
#: minutes), which a window of a few hundred steps can still hold; none under a minute.
_DAILY_SEASON_MIN_STEP_S = 600
_DAY_S = 86_400


def season_length_of_freq(freq) -> int:
    """The usual seasonal period, in steps, of data with frequency ``freq``.

    A daily cycle for sub-daily data (24 hourly, 48 half-hourly; an hourly cycle for
    steps under 10 minutes), 7 daily, 5 business-daily, 52 weekly, 12 monthly, 4
    quarterly; 1 (no season) for yearly data, steps under a minute, multiples that do
    not divide the cycle, integer time (``None``) or a frequency pandas cannot read.

    Examples
    --------
    >>> [season_length_of_freq(f) for f in ("h", "30min", "D", "W-SUN", "MS", "QS", "YS", None)]
    [24, 48, 7, 52, 12, 4, 1, 1]

    Period aliases read alike:

    >>> [season_length_of_freq(f) for f in ("M", "Q-DEC", "Y-DEC", "2M")]
    [12, 4, 1, 6]

    So do keyword offsets, as their named twins:

    >>> [season_length_of_freq(pd.DateOffset(**k)) for k in ({"months": 1}, {"months": 3}, {"years": 1})]
    [12, 4, 1]
    """
    if freq is None:
        return 1
    try:
        offset = pd.tseries.frequencies.to_offset(freq)
    except (TypeError, ValueError):
        try:  # a period alias ("M", "Q-DEC", "Y-DEC"), which pandas 3 reads as an offset no more
            offset = pd.PeriodDtype(freq).freq
        except (TypeError, ValueError):
            return 1
    if type(offset) is pd.DateOffset:  # DateOffset(months=1): a calendar step by its keywords
        return _keyword_season(offset)
    n = offset.n
    if isinstance(offset, pd.offsets.Tick):
        seconds = offset.nanos // 1_000_000_000
        if 60 <= seconds < _DAY_S and offset.nanos % 1_000_000_000 == 0:
            period = _DAY_S if seconds >= _DAILY_SEASON_MIN_STEP_S else 3_600
            return period // seconds if period % seconds == 0 and period > seconds else 1
        return 7 if seconds == _DAY_S else 1
    periods = ((pd.offsets.Day, 7), (pd.offsets.BusinessDay, 5), (pd.offsets.Week, 52),
               (pd.offsets.MonthBegin, 12), (pd.offsets.MonthEnd, 12), (pd.offsets.BusinessMonthBegin, 12),
               (pd.offsets.BusinessMonthEnd, 12), (pd.offsets.QuarterBegin, 4), (pd.offsets.QuarterEnd, 4),
               (pd.offsets.BQuarterBegin, 4), (pd.offsets.BQuarterEnd, 4))
    for kind, period in periods:
        if isinstance(offset, kind):
            # a multiple that divides the cycle keeps it (2 months: 6); others have none
            return period // n if n >= 1 and period % n == 0 and period > n else 1
    return 1


#: The named twin of a :class:`pandas.DateOffset` stepping by one of these keywords.
_KEYWORD_TWINS = {"months": "MS", "weeks": "W", "days": "D", "hours": "h"}


def _keyword_season(offset: pd.DateOffset) -> int:
    """The season of a keyword offset (``DateOffset(months=3)``: 4), its named twin's
    (``3MS``); 1 for several keywords or none with a twin."""
    if len(offset.kwds) != 1:
        return 1
    ((unit, count),) = offset.kwds.items()
    steps = count * offset.n
    return season_length_of_freq(f"{steps}{_KEYWORD_TWINS[unit]}") if unit in _KEYWORD_TWINS and steps >= 1 else 1


#: Where a season length came from, as the report's settings table and the CLI say it.
SEASON_GIVEN = "given"
SEASON_FROM_FREQUENCY = "from frequency"
SEASON_DEFAULT = "default"


def season_rule(season_length, freq) -> tuple[int, str]:
    """The one rule for seasons, shared by :func:`tsforecast.backtest` and the CLI.

    The season the user gave wins; else the usual one of the data's frequency (see
    :func:`season_length_of_freq`); else 1 (integer time, or a frequency without a usual
    season). Returns the season and where it came from, with the frequency it was read
    from: ``"given"``, ``"from frequency D"`` or ``"default (integer time: no frequency)"``.

    Examples
    --------
    >>> season_rule(None, "D")
    (7, 'from frequency D')
    >>> season_rule(12, "D")
    (12, 'given')
    >>> season_rule(None, None)
    (1, 'default (integer time: no frequency)')

    ``freq`` may list the frequencies of a dict whose series differ: their common season
    where they have one (``("W-SUN", "W-WED")``: 52), else 1.

    >>> season_rule(None, ("W-SUN", "W-WED"))
    (52, 'from frequency W-SUN, W-WED')
    >>> season_rule(None, ("D", None))
    (1, "default (the series' time axes differ: D, integer time)")
    """
    if season_length is not None:
        return season_length, SEASON_GIVEN
    if isinstance(freq, tuple) and len(freq) == 1:
        freq = freq[0]
    if isinstance(freq, tuple):
        seasons = {season_length_of_freq(f) for f in freq}
        label = ", ".join("integer time" if f is None else str(f) for f in freq)
        if len(seasons) == 1 and min(seasons) > 1:
            return seasons.pop(), f"{SEASON_FROM_FREQUENCY} {label}"
        return 1, f"{SEASON_DEFAULT} (the series' time axes differ: {label})"
    if freq is None:
        return 1, f"{SEASON_DEFAULT} (integer time: no frequency)"
    season = season_length_of_freq(freq)
    if season == 1:
        return 1, f"{SEASON_DEFAULT} (frequency {freq} has no usual season)"
    return season, f"{SEASON_FROM_FREQUENCY} {freq}"


def as_timestamps(data, name: str = "y"):
    """``data`` with its time axis as timestamps, and the period frequency it had (or None).

    A :class:`pandas.PeriodIndex` (sktime's usual index) becomes the timestamps at the
    start of each period; a long frame's ``ds`` column of periods likewise, and one of
    date strings is parsed (an error names ``ds`` and the first value that is not a date).
    Everything else is returned as it is. :func:`as_periods` turns forecasts back.

    Examples
    --------
    >>> y = pd.Series([1.0, 2.0, 3.0], index=pd.period_range("2024-01", periods=3, freq="M"))
    >>> stamped, period = as_timestamps(y)
    >>> str(stamped.index[0].date()), period
    ('2024-01-01', 'M')
    """
    if _has_periods(data):
        period = data.index.freqstr
        return data.set_axis(data.index.to_timestamp(how="start"), axis=0), period
    if isinstance(data, dict) and any(_has_periods(v) for v in data.values()):
        # Each series of periods as timestamps, answered in its own period frequency: one
        # for the dict where all share it, else per key (a dict may mix time axes).
        periods = {k: v.index.freqstr for k, v in data.items() if _has_periods(v)}
        stamped = {k: v.set_axis(v.index.to_timestamp(how="start"), axis=0) if k in periods else v
                   for k, v in data.items()}
        shared = set(periods.values())
        return stamped, shared.pop() if len(shared) == 1 and len(periods) == len(data) else periods
    if not (isinstance(data, pd.DataFrame) and {"unique_id", "ds"} <= set(data.columns)):
        return data, None
    ds = data["ds"]
    if isinstance(ds.dtype, pd.PeriodDtype):
        # The period alias ("M"), not the offset's ("ME" in pandas 3), which to_period refuses.
        return data.assign(ds=ds.dt.to_timestamp(how="start")), pd.PeriodIndex(ds.array).freqstr
    kind = pd.api.types.infer_dtype(ds, skipna=False)
    if kind == "string":
        return data.assign(ds=_parse_dates(ds, name)), None
    if kind in ("datetime", "date"):  # Python datetimes in an object column (a frame built row by row)
        try:
            return data.assign(ds=pd.to_datetime(ds)), None
        except (ValueError, TypeError):  # mixed time zones: the panel's checks name the series
            return data, None
    return data, None


def _has_periods(data) -> bool:
    return isinstance(data, (pd.Series, pd.DataFrame)) and isinstance(data.index, pd.PeriodIndex)


def _parse_dates(ds: pd.Series, name: str) -> pd.Series:
    with silenced():  # "could not infer format": pandas falls back to parsing each value
        try:
            parsed = pd.to_datetime(ds, errors="coerce")
        except ValueError as error:  # "Mixed timezones detected": UTC offsets that change
            raise InvalidInputError(
                f"{name}['ds'] holds timestamps of different UTC offsets or time zones (daylight saving time, "
                f"as to_csv writes a local time), for example {ds.iloc[0]!r}; no one time zone reads them: "
                "convert them first with pd.to_datetime(ds, utc=True), then .dt.tz_convert(zone) for local time."
            ) from error
    bad = parsed.isna().to_numpy()
    iso = read_iso8601(ds) if bad.any() else None
    if iso is not None:
        return iso
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        hint = (" They all read as dates written day first: parse them with pd.to_datetime(ds, dayfirst=True)."
                if read_day_first(ds) is not None else "")
        raise InvalidInputError(
            f"{name}['ds'] holds text that is not a date: {ds.iloc[row]!r} in row {_plain(ds.index[row])!r} "
            f"({int(bad.sum())} such value(s)); ds must hold timestamps, dates as text, or integer time.{hint}"
        )
    return parsed


def _plain(value):
    """A NumPy scalar as the Python value it holds (``np.int64(36)`` reads 36 in a message)."""
    return value.item() if isinstance(value, np.generic) else value


#: What pandas infers of values that may be dates: text, or date and time objects.
_DATE_KINDS = ("string", "datetime", "datetime64", "date")


def reads_as_dates(values) -> bool:
    """Whether ``values`` are timestamps, or text whose first 200 values all parse as
    timestamps (a time column left among the data, an index of date strings), month
    first, day first (``13/01/2024``, ``13.01.2024``) or as ISO 8601 of mixed precision."""
    return date_reading(values) is not None


def date_reading(values) -> str | None:
    """The arguments of :func:`pandas.to_datetime` that read ``values`` as dates (see
    :func:`reads_as_dates`): ``""`` where none are needed, ``"dayfirst=True"`` for dates
    written day first, ``"format='ISO8601'"`` for ISO timestamps of mixed precision,
    ``"utc=True"`` for timestamps whose UTC offset changes (daylight saving time); None
    where they are not dates (numbers held as objects among them: pandas would read them
    as nanoseconds since 1970)."""
    values = pd.Series(values)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return ""
    if values.dtype != object and not pd.api.types.is_string_dtype(values.dtype):
        return None
    head = values.head(200)
    if not len(head) or head.isna().any() or pd.api.types.infer_dtype(head) not in _DATE_KINDS:
        return None
    with silenced():  # "could not infer format": a fallback, not a failure
        try:
            parsed, arguments = pd.to_datetime(head, errors="coerce"), ""
        except ValueError:  # UTC offsets that change (daylight saving time): dates all the same
            parsed, arguments = pd.to_datetime(head, errors="coerce", utc=True), "utc=True"
    if not parsed.isna().any():
        return arguments
    if read_iso8601(head) is not None:
        return "format='ISO8601'"
    try:
        return "dayfirst=True" if read_day_first(head) is not None else None
    except ValueError:  # UTC offsets that change, day first: no one reading
        return None


def to_datetime_code(values, expression: str) -> str:
    """The call that reads ``values`` (which :func:`reads_as_dates`), written on ``expression``
    for an error message's fix: ``pd.to_datetime(data['date'], dayfirst=True)``."""
    arguments = date_reading(values)
    return f"pd.to_datetime({expression}{', ' + arguments if arguments else ''})"


def read_iso8601(values: pd.Series) -> pd.Series | None:
    """``values`` (text) read as ISO 8601 timestamps of any precision, or None where that
    fails on any of them (``2024-01-01`` beside ``2024-01-01 01:00``: the one format pandas
    infers from the first value misses the others)."""
    try:
        parsed = pd.to_datetime(values, errors="coerce", format="ISO8601")
    except ValueError:  # UTC offsets that change: not one reading
        return None
    return None if parsed.isna().any() else parsed


def read_day_first(values: pd.Series) -> pd.Series | None:
    """``values`` (text) read as dates written day first, or None where that fails on any of them.

    pandas infers one format from the first value, month first where it can (``01/02/2024``
    is 2 January); dates written day first then fail from the 13th of a month on.
    """
    with silenced():  # pandas warns that the inferred format is day first: that is the point
        parsed = pd.to_datetime(values, errors="coerce", dayfirst=True)
    return None if parsed.isna().any() else parsed


def periods_as_timestamps(frame: pd.DataFrame, columns=("cutoff", "ds")) -> pd.DataFrame:
    """``frame`` with its period ``columns`` as the timestamps of their starts (what
    matplotlib can draw); the others, and a frame without periods, as they are."""
    stamped = {column: frame[column].dt.to_timestamp(how="start") for column in columns
               if column in frame.columns and isinstance(frame[column].dtype, pd.PeriodDtype)}
    return frame.assign(**stamped) if stamped else frame


def as_periods(forecast, period: str | dict | None):
    """Forecasts with timestamps back in the period form of the input (see :func:`as_timestamps`):
    ``period`` is its frequency, or for a dict whose series differ, one per key (None: timestamps)."""
    if period is None:
        return forecast
    if isinstance(forecast, dict):
        return {key: as_periods(value, period.get(key) if isinstance(period, dict) else period)
                for key, value in forecast.items()}
    if isinstance(forecast, pd.DataFrame) and "ds" in forecast.columns:
        return forecast.assign(ds=pd.DatetimeIndex(forecast["ds"]).to_period(period))
    if isinstance(getattr(forecast, "index", None), pd.DatetimeIndex):
        return forecast.set_axis(forecast.index.to_period(period), axis=0)
    return forecast
