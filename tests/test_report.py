"""tsforecast.report: what the HTML page and its Markdown twin show, and how they are written."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

import tsforecast
from tsforecast import BacktestResult, WindowForecaster
from tsforecast.baselines import Drift, Naive, SeasonalNaive
from tsforecast.exceptions import InvalidParameterError
from tsforecast.forecasters.base import BaseForecaster, quantile_column
from tsforecast.reporting import _files, report_paths
from _backtest_helpers import WideNaive
from _report_helpers import md_table


def _panel(n_series: int, length: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    t = np.arange(length)
    frames = []
    for i in range(n_series):
        y = 10 + i + 3 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.4, length)
        frames.append(pd.DataFrame({"unique_id": f"s{i}", "ds": pd.date_range("2024-01-01", periods=length, freq="h"),
                                    "y": y}))
    return pd.concat(frames, ignore_index=True)


class Exploding(BaseForecaster):
    """Fails on every fit: the report lists its tasks as failed."""

    def fit(self, y, X=None):
        raise ValueError("boom at fit")

    def predict(self, horizon=None, X=None):  # pragma: no cover - never fitted
        raise AssertionError("not reached")


@pytest.fixture(scope="module")
def result() -> BacktestResult:
    models = {
        "naive": Naive(),
        "snaive": SeasonalNaive(season_length=24),
        "drift": Drift(),
        "ridge": WindowForecaster(Ridge(), n_steps_in=24, n_steps_out=6),
    }
    return tsforecast.backtest(models, _panel(3), horizon=6, cv=3, season_length=24, quantiles="auto",
                               progress=False)


@pytest.fixture(scope="module")
def written(result, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    paths = tsforecast.report(result, folder / "run.html")
    return paths, paths.markdown.read_text(encoding="utf-8"), paths.html.read_text(encoding="utf-8")


def shown(value: float) -> float:
    """A value as the report prints it (4 significant digits)."""
    return float(f"{value:.4g}")


# -- files ---------------------------------------------------------------------
def test_writes_html_markdown_and_figure_folder(written):
    paths, markdown, _ = written
    assert paths.html.name == "run.html" and paths.markdown.name == "run.md" and paths.figures.name == "run_files"
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)
    assert len(links) >= 2
    for link in links:
        png = paths.markdown.parent / link
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in paths.figures.iterdir()) == sorted(link.split("/")[-1] for link in links)
    assert [p.name for p in paths.html.parent.iterdir() if p.name.startswith(".")] == []  # no temp files left


def test_html_is_self_contained(written):
    paths, markdown, html = written
    lowered = html.lower()
    for banned in ("http://", "https://", "<script", "<link", "@import", "url(", "<iframe", "src=\"/", "src=\"file"):
        assert banned not in lowered, banned
    sources = re.findall(r'<img src="([^"]*)"', html)
    assert len(sources) == markdown.count("![")
    assert all(src.startswith("data:image/png;base64,") and len(src) > 1000 for src in sources)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_report_paths_derive_twin_and_folder():
    assert report_paths("out/a.htm").markdown.as_posix() == "out/a.md"
    assert report_paths("out/a").html.as_posix() == "out/a.html"
    assert report_paths("out/a.md").html.as_posix() == "out/a.html"


@pytest.mark.parametrize("name", ["run.v1", "weekly.2024-06-01"])
def test_a_dotted_report_name_keeps_its_dot(name):
    """``.html`` replaced the last suffix: run.v1 and run.v2 both wrote run.html, the second
    report silently overwriting the first."""
    paths = report_paths(f"out/{name}")
    assert paths.html.as_posix() == f"out/{name}.html"
    assert paths.markdown.as_posix() == f"out/{name}.md" and paths.figures.as_posix() == f"out/{name}_files"
    assert report_paths("out/run.v1").html != report_paths("out/run.v2").html


# -- content equals the result -------------------------------------------------------
def test_metrics_table_equals_summary(result, written):
    _, markdown, html = written
    summary = result.summary(reference="snaive", metric="mase")
    rows = md_table(markdown, "rank")
    assert [row["model"] for row in rows] == list(summary.sort_values("rank").index)
    for row in rows:
        expected = summary.loc[row["model"]]
        assert int(row["rank"]) == expected["rank"]
        assert float(row["MASE mean"]) == shown(expected["mase_mean"])
        assert float(row["MASE sd"]) == shown(expected["mase_std"])
        for metric in ("mae", "rmse", "smape"):
            assert float(row[f"{metric.upper()} mean"]) == shown(expected[f"{metric}_mean"])
        if row["model"] == "snaive":
            assert row["skill vs snaive"] == "reference"
        else:
            assert float(row["skill vs snaive"].rstrip("%")) == pytest.approx(100 * expected["skill"], abs=0.05)
        for cell in row.values():  # the HTML shows the same cells
            assert f">{cell}<" in html or cell == ""


def test_significance_columns_equal_compare(result, written):
    _, markdown, _ = written
    compare = result.compare("snaive", metric="mase")
    for row in md_table(markdown, "rank"):
        if row["model"] == "snaive":
            continue
        p_value = compare.loc[row["model"], "p_value"]
        assert float(row["DM p-value"]) == float(f"{p_value:.2g}")
        expected = "***" if p_value < 0.01 else "**" if p_value < 0.05 else "*" if p_value < 0.1 else ""
        assert row["sig."] == expected


def test_error_by_step_table_equals_by_step(result, written):
    _, markdown, _ = written
    by_step = result.by_step("mase")
    rows = md_table(markdown, "step")
    assert [int(row["step"]) for row in rows] == list(by_step.index)
    for row in rows:
        for model in by_step.columns:
            assert float(row[model]) == shown(by_step.loc[int(row["step"]), model])


def test_verdict_names_best_model_and_reference(result, written):
    _, markdown, _ = written
    summary = result.summary(reference="snaive", metric="mase")
    best = summary["rank"].idxmin()
    verdicts = [line for line in markdown.splitlines() if line.startswith("> ")]
    assert verdicts[0] == f"> {best} has the lowest mean MASE over folds ({shown(summary.loc[best, 'mase_mean']):.4g})."
    assert verdicts[1].startswith(f"> {best} ") and "snaive" in verdicts[1] and "Diebold-Mariano p = " in verdicts[1]
    # every other model is measured against the reference and against the best
    for model in summary.index.drop([best, "snaive"]):
        assert sum(v.startswith(f"> {model} ") and v.endswith(")." ) for v in verdicts) == 2


def test_run_info_is_shown(result, written):
    _, markdown, _ = written
    assert result.info["data"]["sha256"] in markdown
    models = {row["model"]: row for row in md_table(markdown, "model | class")}
    assert set(models) == {"naive", "snaive", "drift", "ridge"}
    assert models["snaive"]["class"] == "SeasonalNaive"
    assert '"season_length": 24' in models["snaive"]["parameters"]
    assert float(models["ridge"]["wall time (s)"]) == shown(result.info["model_seconds"]["ridge"])
    assert f"| numpy | {np.__version__} |" in markdown


def test_forecast_section_names_folds_models_and_band(written):
    _, markdown, _ = written
    assert "Folds shown: the latest 3 of 3 (0, 1, 2)" in markdown
    assert "Models shown: " in markdown
    assert "Shaded: the band from q0.1 to q0.9 of " in markdown


def _random_walk(trend: float = 0.0) -> pd.Series:
    rng = np.random.default_rng(0)
    values = 100 + np.cumsum(trend + rng.normal(size=80))
    return pd.Series(values, index=pd.date_range("2020", periods=80, freq="D"), name="y")


def test_pinball_of_models_with_other_quantile_levels_is_not_compared(tmp_path):
    """With quantiles="auto" a model with its own 0.05-0.95 band showed a "better" pinball
    and coverage than Naive's 0.1-0.9 beside it, though their forecasts were the same."""
    result = tsforecast.backtest({"wide": WideNaive(), "naive": Naive()}, _random_walk(), horizon=2, cv=10,
                                 quantiles="auto", progress=False)
    levels = result.info["model_quantiles"]
    assert levels["wide"] != levels["naive"]
    markdown = tsforecast.report(result, tmp_path / "run.html").markdown.read_text(encoding="utf-8")
    rows = md_table(markdown, "rank")
    assert not [header for header in rows[0] if "PINBALL" in header]
    summary = result.summary()
    for row in rows:  # coverage with the nominal span of the model's own band
        own = levels[row["model"]]
        cell = re.fullmatch(r"(\S+) \((\S+)\)", row["COVERAGE mean (nominal)"])
        assert float(cell[1]) == shown(summary.loc[row["model"], "coverage_mean"])
        assert float(cell[2]) == pytest.approx(max(own) - min(own))
    note = next(line for line in markdown.splitlines() if line.startswith("PINBALL is left out"))
    for model, own in levels.items():  # each model's own loss, named with its levels
        loss = f"{summary.loc[model, 'pinball_mean']:.4g}"
        assert f"{model} {loss} on {', '.join(f'{q:g}' for q in own)}" in note


def test_pinball_of_models_with_the_same_quantile_levels_stays_in_the_table(written):
    _, markdown, _ = written
    assert "PINBALL mean" in md_table(markdown, "rank")[0] and "PINBALL is left out" not in markdown


def test_the_shaded_band_is_the_preferred_models_own(tmp_path):
    """The widest quantile columns of all went to the one model that had them (a worse
    one), while the sentence said the best-ranked model's band was shaded."""
    models = {"snaive": SeasonalNaive(season_length=7), "drift": Drift(), "wide": WideNaive()}
    result = tsforecast.backtest(models, _random_walk(trend=3.0), horizon=2, cv=10, quantiles="auto",
                                 progress=False)
    levels = result.info["model_quantiles"]
    ranked = [m for m in result.summary(reference="snaive").sort_values("rank").index if m != "snaive"]
    best = next(m for m in ranked if m in levels)
    assert best == "drift" and min(levels["wide"]) < min(levels[best])  # the case: the best band is not widest
    markdown = tsforecast.report(result, tmp_path / "run.html").markdown.read_text(encoding="utf-8")
    low, high = quantile_column(min(levels[best])), quantile_column(max(levels[best]))
    assert f"Shaded: the band from {low} to {high} of {best}," in markdown


def test_no_training_curves_without_histories(written):
    _, markdown, _ = written
    assert "No model of this backtest records training curves." in markdown


# -- reference ------------------------------------------------------------------------
def test_explicit_reference_and_unknown_reference(result, tmp_path):
    paths = tsforecast.report(result, tmp_path / "r.html", reference="naive", title="My run")
    markdown = paths.markdown.read_text()
    assert markdown.startswith("# My run\n")
    assert "skill vs naive" in markdown
    with pytest.raises(InvalidParameterError, match="reference must be one of .* got 'nope'"):
        tsforecast.report(result, tmp_path / "bad.html", reference="nope")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "r.md", "r_files"]


def test_default_reference_is_best_baseline_without_seasonal_naive(result, tmp_path):
    subset = BacktestResult(
        result.forecasts[result.forecasts["model"] != "snaive"],
        result.metrics[result.metrics["model"] != "snaive"],
        result.errors, {}, {**result.info, "model_names": ["naive", "drift", "ridge"]},
    )
    markdown = tsforecast.report(subset, tmp_path / "r.html").markdown.read_text()
    assert "skill vs naive" in markdown  # Naive is the next preferred reference


# -- panels, failures, histories ------------------------------------------------------------
@pytest.mark.slow
def test_panel_of_many_series_shows_chosen_series(tmp_path):
    models = {"naive": Naive(), "snaive": SeasonalNaive(24), "broken": Exploding()}
    result = tsforecast.backtest(models, _panel(8, 72), horizon=6, cv=2, season_length=24, progress=False)
    markdown = tsforecast.report(result, tmp_path / "p.html").markdown.read_text()
    skill = result.per_series("mase", reference="snaive").query("model == 'naive'").set_index("unique_id")["skill"]
    ordered = skill.sort_values(ascending=False, kind="stable")
    best, median, worst = ordered.index[0], ordered.index[len(ordered) // 2], ordered.index[-1]
    assert (f"Series shown: 3 of 8, chosen by the per-series skill of naive against snaive (the best-ranked model "
            f"other than the reference): {best}: best skill of naive: {100 * ordered[best]:+.1f}%; "
            f"{median}: median skill of naive: {100 * ordered[median]:+.1f}%; "
            f"{worst}: worst skill of naive: {100 * ordered[worst]:+.1f}%.") in markdown
    assert "> No scores for broken: every task failed (see Failed tasks)." not in markdown  # not emphasised
    assert "No scores for broken: every task failed (see Failed tasks)." in markdown
    assert "## Failed tasks" in markdown
    failed = md_table(markdown, "model | unique_id")
    assert len(failed) == len(result.errors) > 0
    assert {row["model"] for row in failed} == {"broken"}
    assert all("boom at fit" in row["error"] for row in failed)


def test_training_curves_from_histories(result, tmp_path):
    """Training curves are shown for the models that have them, and such a model gets a
    verdict against the reference and, when another model is best, against the best."""
    histories = {"drift": {0: {"loss": [1.0, 0.5, 0.25], "val_loss": [1.2, 0.7, 0.6]},
                           1: {"loss": [0.9, 0.4], "val_loss": [1.0, 0.8]}}}
    with_curves = BacktestResult(result.forecasts, result.metrics, result.errors, histories, result.info)
    paths = tsforecast.report(with_curves, tmp_path / "t.html")
    markdown = paths.markdown.read_text()
    rows = md_table(markdown, "model | fold", "epochs")
    assert [(r["model"], r["fold"], r["epochs"], r["last loss"], r["best val_loss"]) for r in rows] == [
        ("drift", "0", "3", "0.25", "0.6"), ("drift", "1", "2", "0.4", "0.8")]
    assert (paths.figures / "training_curves.png").exists()
    from tsforecast.reporting._verdict import verdict_sentence

    best = result.summary(reference="snaive", metric="mase")["rank"].idxmin()
    assert best not in ("drift", "snaive")  # the data make another model best
    verdicts = [line[2:] for line in markdown.splitlines() if line.startswith("> ")]
    expected = []
    for reference in ("snaive", best):
        skill = result.summary(reference=reference, metric="mase").loc["drift", "skill"]
        test = result.compare(reference, metric="mase").loc["drift"]
        expected.append(verdict_sentence("drift", reference, "mase", skill, test["p_value"], test["statistic"]))
    assert [v for v in verdicts if v.startswith("drift ")] == expected


def test_saved_and_loaded_result_gives_the_same_report(result, written, tmp_path):
    _, markdown, _ = written
    loaded = BacktestResult.load(result.save(tmp_path / "result.zip"))
    again = tsforecast.report(loaded, tmp_path / "run.html").markdown.read_text()
    assert again == markdown


# -- all or nothing ------------------------------------------------------------------------
def test_failure_while_writing_leaves_nothing(result, tmp_path, monkeypatch):
    calls = []
    original = _files._write_file

    def failing(path, data):
        calls.append(path)
        if len(calls) == 3:
            raise OSError("disk full")
        original(path, data)

    monkeypatch.setattr(_files, "_write_file", failing)
    target = tmp_path / "new" / "deeper" / "r.html"
    with pytest.raises(OSError, match="disk full"):
        tsforecast.report(result, target)
    assert list(tmp_path.iterdir()) == []  # not even the folders made for it


@pytest.mark.slow
def test_failure_keeps_the_previous_report(result, tmp_path, monkeypatch):
    paths = tsforecast.report(result, tmp_path / "r.html")
    before = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}

    def failing_replace(src, dst):
        raise OSError("replace failed")

    monkeypatch.setattr(_files.os, "replace", failing_replace)
    with pytest.raises(OSError, match="replace failed"):
        tsforecast.report(result, paths.html, title="other")
    monkeypatch.undo()
    after = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before


@pytest.mark.slow
def test_rewriting_replaces_the_figure_folder(result, tmp_path):
    paths = tsforecast.report(result, tmp_path / "r.html")
    (paths.figures / "stale.png").write_bytes(b"old")
    tsforecast.report(result, tmp_path / "r.html")
    assert not (paths.figures / "stale.png").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "r.md", "r_files"]


def test_single_model_and_other_metrics(tmp_path):
    result = tsforecast.backtest({"naive": Naive()}, _panel(1, 60), horizon=4, cv=2, metrics=["rmse", "mae"],
                                 progress=False)
    markdown = tsforecast.report(result, tmp_path / "one.html").markdown.read_text()
    assert "> Only one model, naive, was backtested; there is nothing to compare it with." in markdown
    rows = md_table(markdown, "rank")
    assert [row["model"] for row in rows] == ["naive"]
    # without MASE, MAE ranks the models (the preferred order: MASE, MAE, RMSE, sMAPE)
    assert list(rows[0])[:4] == ["rank", "model", "MAE mean", "MAE sd"]
    summary = result.summary(metric="mae")
    assert float(rows[0]["MAE mean"]) == shown(summary.loc["naive", "mae_mean"])
    assert float(rows[0]["RMSE mean"]) == shown(summary.loc["naive", "rmse_mean"])


def test_the_reference_is_chosen_by_declared_capability_not_by_class_name():
    import numpy as np
    import pandas as pd

    from tsforecast import backtest
    from tsforecast.baselines import Drift, Naive, SeasonalNaive
    from tsforecast.reporting import choose_reference

    y = pd.Series(10 + np.sin(np.arange(60) / 2), index=pd.date_range("2024-01-01", periods=60, freq="D"))
    impostor = type("SeasonalNaive", (Drift,), {})  # the name of the yardstick, none of its claim
    result = backtest({"impostor": impostor(), "naive": Naive()}, y, horizon=3, cv=2, progress=False)
    assert choose_reference(result, None) == "naive"
    result = backtest({"naive": Naive(), "weekly": SeasonalNaive(7)}, y, horizon=3, cv=2, progress=False)
    assert choose_reference(result, None) == "weekly"
    assert result.info["models"]["weekly"]["class"] == "tsforecast.baselines.naive.SeasonalNaive"
    assert all("reference_priority" not in spec for spec in result.info["models"].values())  # not the models' say


def test_markdown_twin_holds_no_raw_html_and_no_injected_lines(tmp_path):
    """The HTML escaped a title or model name holding markup; its Markdown twin passed it
    through (renderers show raw HTML), and a newline started a heading of its own."""
    result = tsforecast.backtest({"<b>bold</b>": Naive(), "snaive": SeasonalNaive(season_length=7)}, _panel(2, 60),
                                 horizon=4, cv=2, progress=False)
    paths = tsforecast.report(result, tmp_path / "r.html", title="<script>alert(1)</script>\n## injected")
    markdown = paths.markdown.read_text()
    assert "<script" not in markdown and "<b>" not in markdown
    assert "&lt;script>alert(1)&lt;/script> ## injected" in markdown.splitlines()[0]
    assert not any(line.startswith("## injected") for line in markdown.splitlines())
    assert "&lt;b>bold&lt;/b>" in markdown


def test_a_folder_as_the_report_path_is_refused(tmp_path):
    """'out/' became out.html, out.md and out_files/ beside the folder, without a word."""
    from tsforecast.exceptions import FileWriteError

    result = tsforecast.backtest({"naive": Naive()}, _panel(1, 40), horizon=4, cv=2, progress=False)
    folder = tmp_path / "out"
    folder.mkdir()
    for path in (folder, f"{folder}/"):
        with pytest.raises(FileWriteError, match="it is a folder; give a file name"):
            tsforecast.report(result, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"] and not any(folder.iterdir())


def test_a_model_that_failed_everywhere_is_named_in_the_verdict(tmp_path):
    """The verdict said 'Only one model, naive, was backtested' about a run of two."""
    class Boom(Naive):
        def fit(self, y, X=None):
            raise RuntimeError("boom")

    result = tsforecast.backtest({"boom": Boom(), "naive": Naive()}, _panel(1, 40), horizon=4, cv=2, progress=False)
    markdown = tsforecast.report(result, tmp_path / "r.html").markdown.read_text()
    assert "> Only naive has scores: boom failed in every fold (see Failed tasks)" in markdown


@pytest.fixture(scope="module")
def partly_failed(tmp_path_factory):
    """A model that fails in the first fold of every series: the models scored different cells."""
    from _backtest_helpers import FailOn

    models = {"naive": Naive(), "snaive": SeasonalNaive(season_length=24), "last": FailOn(n_rows=42)}
    result = tsforecast.backtest(models, _panel(3, 60), horizon=6, cv=3, season_length=24, progress=False)
    assert set(result.errors["fold"]) == {0} and "mase_common" in result.summary().columns
    markdown = tsforecast.report(result, tmp_path_factory.mktemp("partly") / "r.html").markdown.read_text()
    return result, markdown


def test_the_verdict_quotes_the_score_models_are_ranked_on(partly_failed):
    """The verdict named the model ranked first on the shared cells with its mean over all its
    folds ('ets has the lowest mean MASE over folds (0.7931)' while theta's was 0.7285)."""
    result, markdown = partly_failed
    summary = result.summary(reference="snaive", metric="mase")
    best = summary["rank"].idxmin()
    verdicts = [line for line in markdown.splitlines() if line.startswith("> ")]
    assert verdicts[0].startswith(f"> {best}")
    assert f"lowest mean MASE on the cells all models scored ({summary.loc[best, 'mase_common']:.4g})" in verdicts[0]
    assert "over folds" not in verdicts[0]


def test_per_series_and_by_step_sections_show_the_cells_they_compare(partly_failed):
    """The table of series where a model loses most showed MASE over all folds beside a skill
    over the shared folds (the columns did not give the skill); the by-step table said "over
    series and folds" while it covers the shared cells only."""
    result, markdown = partly_failed
    table = result.per_series(metric="mase", reference="snaive")
    common = table.set_index(["model", "unique_id"])["mase_common"]
    section = markdown.split("### Where ", 1)[1]
    focus = section.split(" loses most", 1)[0]
    rows = md_table(section, "series")
    assert rows
    for row in rows:
        mine, reference = common[(focus, row["series"])], common[("snaive", row["series"])]
        assert float(row[f"{focus} MASE (shared folds)"]) == shown(mine)
        assert float(row["snaive MASE (shared folds)"]) == shown(reference)
        assert float(row["skill"].rstrip("%")) == pytest.approx(100 * (1 - mine / reference), abs=0.05)
    per_series = markdown.split("## Per series", 1)[1].split("\n\n", 2)[1]
    assert "mean MASE over the folds of that series all models scored" in per_series
    by_step = markdown.split("## Error by horizon step", 1)[1].split("\n\n", 2)[1]
    assert "cells all models scored" in by_step and "over series and folds." not in by_step
    expected = result.by_step("mase")
    for row in md_table(markdown, "step"):
        for model in expected.columns:
            assert float(row[model]) == shown(expected.loc[int(row["step"]), model])


def test_a_report_whose_models_scored_the_same_cells_says_nothing_of_shared_cells(written):
    _, markdown, _ = written
    assert "all models scored" not in markdown and "shared" not in markdown


def test_the_report_names_skipped_series_and_fallbacks(tmp_path):
    """A series left out (on_short="skip") and a baseline that fell back to Naive in one fold
    were warned on stderr only: the report said n_series 2 without naming the third."""
    import warnings

    frame = _panel(3, 60)
    frame = frame[(frame["unique_id"] != "s2") | (frame.groupby("unique_id").cumcount() < 10)]
    models = {"naive": Naive(), "snaive": SeasonalNaive(season_length=44)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = tsforecast.backtest(models, frame, horizon=6, cv=3, on_short="skip", progress=False)
    markdown = tsforecast.report(result, tmp_path / "r.html").markdown.read_text()
    section = markdown.split("## Skipped series and fallbacks", 1)[1].split("\n## ", 1)[0]
    skipped = md_table(section, "series")
    assert [row["series"] for row in skipped] == ["s2"] and "it has 10 rows" in skipped[0]["why it was left out"]
    fallbacks = md_table(section, "model", "fold")
    assert {(row["model"], row["fold"]) for row in fallbacks} == {("snaive", "0")}  # 42 training rows < 44
    assert all("Naive is used" in row["what its fit said"] for row in fallbacks)
    reloaded = BacktestResult.load(result.save(tmp_path / "r.zip"))
    again = tsforecast.report(reloaded, tmp_path / "again.html").markdown.read_text()
    assert section in again


def test_a_report_without_skips_or_fallbacks_has_no_such_section(written):
    _, markdown, _ = written
    assert "Skipped series" not in markdown and "fallback_notes" not in markdown and "skipped_series" not in markdown


def test_the_cutoffs_of_a_panel_read_as_a_range(tmp_path):
    """A fold's first and last cutoff over series were shown "2024-01-24 00:00:00,
    2024-02-28 00:00:00", read as a list of two cutoffs."""
    frame = _panel(3, 60)
    frame = frame[(frame["unique_id"] != "s2") | (frame.groupby("unique_id").cumcount() < 50)]  # ends first
    result = tsforecast.backtest({"naive": Naive(), "drift": Drift()}, frame, horizon=6, cv=2, progress=False)
    markdown = tsforecast.report(result, tmp_path / "r.html").markdown.read_text()
    rows = {row["cutoffs"]: row["value"] for row in md_table(markdown, "cutoffs")}
    for fold, (first, last) in result.info["cutoffs"].items():
        assert first != last and rows[str(fold)] == f"{first} to {last} (per series)"
    single = tsforecast.backtest({"naive": Naive(), "drift": Drift()}, frame[frame["unique_id"] == "s0"],
                                 horizon=6, cv=2, progress=False)
    markdown = tsforecast.report(single, tmp_path / "s.html").markdown.read_text()
    rows = {row["cutoffs"]: row["value"] for row in md_table(markdown, "cutoffs")}
    assert all(rows[str(fold)] == first for fold, (first, _) in single.info["cutoffs"].items())
