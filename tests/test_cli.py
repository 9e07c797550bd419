"""The ``sksynth`` command line, run in subprocesses on small data."""

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import sksynth
from sksynth import cli
from sksynth.cli import _demo
from sksynth.datasets import load_adult
from sksynth.report._atomic import atomic_output

ENV = dict(os.environ, MPLBACKEND="Agg", OMP_NUM_THREADS="1")


def run(*args, cwd, extra_code=None):
    """``python -m sksynth ARGS`` (or a snippet before ``main``) in a fresh interpreter."""
    if extra_code is None:
        cmd = [sys.executable, "-m", "sksynth", *map(str, args)]
    else:
        code = (f"{extra_code}\nimport sys\nfrom sksynth.cli import main\n"
                f"sys.exit(main({list(map(str, args))!r}))")
        cmd = [sys.executable, "-c", code]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=ENV, timeout=300)


@pytest.fixture
def invoke(monkeypatch, capsys):
    """Run ``cli.main(args)`` in this process from ``cwd`` (the script's code path).

    Interpreter start-up and imports take a few seconds per subprocess on a small
    machine; the tests that need a real process use :func:`run`.
    """
    def _invoke(*args, cwd):
        monkeypatch.chdir(cwd)
        status = cli.main([str(a) for a in args])
        out = capsys.readouterr()
        return subprocess.CompletedProcess(args, status, out.out, out.err)

    return _invoke


def assert_clean_error(proc, match, code=1):
    """Non-zero exit, one error line naming the problem, never a traceback."""
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    lines = [line for line in proc.stderr.splitlines() if "error" in line]
    assert len(lines) == 1, proc.stderr
    assert match in lines[0], lines[0]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """Small Adult CSVs and a fitted copula model, shared by the tests."""
    path = tmp_path_factory.mktemp("cli")
    frame = load_adult().frame.sample(900, random_state=0).reset_index(drop=True)
    frame.iloc[:600].to_csv(path / "real.csv", index=False)
    frame.iloc[600:].to_csv(path / "holdout.csv", index=False)
    assert cli.main(["-q", "fit", str(path / "real.csv"), "--generator", "copula", "--seed",
                     "0", "--out", str(path / "model.skm")]) == 0
    return path


def test_fit_sample_evaluate_round_trip(workdir):
    proc = run("fit", "real.csv", "--generator", "copula", "--seed", "0", "--out", "m2.skm",
               cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    assert "fitted GaussianCopulaGenerator on 600 rows" in proc.stdout
    proc = run("sample", "m2.skm", "-n", "1500", "--batch-size", "600", "--out",
               "syn.csv", "--seed", "3", cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    assert "sample" in proc.stderr  # a progress bar
    syn = pd.read_csv(workdir / "syn.csv")
    real = pd.read_csv(workdir / "real.csv")
    assert syn.shape == (1500, real.shape[1])
    assert list(syn.columns) == list(real.columns)
    assert set(syn["income"]) <= set(real["income"])
    proc = run("evaluate", "real.csv", "syn.csv", "--holdout", "holdout.csv", "--target",
               "income", "--report", "report.html", "--summary", "summary.csv", cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    assert "quality_score" in proc.stdout and "tstr_roc_auc" in proc.stdout
    page = (workdir / "report.html").read_text(encoding="utf-8")
    assert page.count('class="column"') == real.shape[1]
    summary = pd.read_csv(workdir / "summary.csv")
    assert {"fidelity", "utility", "privacy"} == set(summary["category"])
    quality = summary.set_index("metric").loc["quality_score", "value"]
    assert 0.8 < quality <= 1.0
    assert not [f for f in os.listdir(workdir) if f.endswith(".tmp")]


def test_fit_prints_the_column_types(workdir, invoke):
    proc = invoke("fit", "real.csv", "--generator", "copula", "--seed", "0", "--out",
                  "types.skm", cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if ": " in line and "fit " not in line]
    types = dict(line.split(": ", 1) for line in lines)
    assert list(types) == list(pd.read_csv(workdir / "real.csv").columns)
    assert types["age"] == "integer" and types["workclass"] == "categorical"
    assert "override a type with --param" in proc.stderr
    quiet = invoke("-q", "fit", "real.csv", "--generator", "copula", "--seed", "0", "--out",
                   "types.skm", "--force", cwd=workdir)
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_constraints_from_the_command_line_hold_on_every_sampled_row(workdir, invoke):
    # in Adult, education names its education_num one to one, and no one is younger
    # than their years of schooling
    proc = invoke("-q", "fit", "real.csv", "--generator", "copula", "--seed", "0",
                  "--constraint", "FixedCombinations(['education', 'education_num'])",
                  "--constraint", "Inequality(education_num, 'age')",
                  "--out", "constrained.skm", cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    proc = invoke("-q", "sample", "constrained.skm", "-n", "3000", "--seed", "1", "--out",
                  "constrained.csv", cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    real = pd.read_csv(workdir / "real.csv")
    syn = pd.read_csv(workdir / "constrained.csv")
    seen = set(zip(real["education"], real["education_num"]))
    assert set(zip(syn["education"], syn["education_num"])) <= seen
    assert (syn["education_num"] <= syn["age"]).all()
    assert syn["education"].nunique() > 5


def test_evaluate_prints_the_warnings(workdir, invoke):
    # the real rows as their own "synthetic" copy: closer than the holdout, all copies
    few = ["age", "workclass", "fnlwgt"]
    for name in ("real", "holdout"):
        pd.read_csv(workdir / f"{name}.csv")[few].to_csv(workdir / f"{name}_few.csv",
                                                         index=False)
    proc = invoke("-q", "evaluate", "real_few.csv", "real_few.csv", "--holdout",
                  "holdout_few.csv", "--no-detection", "--report", "copy.html", cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert [line.split()[1] for line in lines] == ["dcr_ratio", "exact_match_rate"], lines
    assert all(line.startswith("warning: ") for line in lines)
    page = (workdir / "copy.html").read_text(encoding="utf-8")
    assert page.index("dcr_ratio 0.000 &lt; 1") < page.index('<section id="summary">')


def test_sampling_is_streamed_reproducible_and_compressed(workdir, invoke):
    for name in ("a.csv", "b.csv.gz"):
        proc = invoke("-q", "sample", "model.skm", "-n", "1e3", "--batch-size", "300", "--seed",
                      "7", "--out", name, cwd=workdir)
        assert proc.returncode == 0 and proc.stderr == "" and proc.stdout == "", proc.stderr
    a, b = pd.read_csv(workdir / "a.csv"), pd.read_csv(workdir / "b.csv.gz")
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 1000
    # an empty draw writes the header
    proc = invoke("-q", "sample", "model.skm", "-n", "0", "--out", "empty.csv", cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    assert (workdir / "empty.csv").read_text().splitlines() == [",".join(a.columns)]


def test_parquet_output(workdir, invoke):
    pytest.importorskip("pyarrow")
    proc = invoke("sample", "model.skm", "-n", "1200", "--batch-size", "500", "--out", "s.parquet",
               cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    frame = pd.read_parquet(workdir / "s.parquet")
    assert frame.shape == (1200, 15)
    proc = invoke("-q", "evaluate", "real.csv", "s.parquet", "--no-detection", "--report",
                  "p.html", cwd=workdir)
    assert proc.returncode == 0, proc.stderr


def test_parquet_without_pyarrow_is_a_clear_error(workdir):
    block = "import sys; sys.modules['pyarrow'] = None; sys.modules['pyarrow.parquet'] = None"
    proc = run("sample", "model.skm", "-n", "10", "--out", "x.parquet", cwd=workdir,
               extra_code=block)
    assert_clean_error(proc, "needs pyarrow: pip install pyarrow")
    assert not (workdir / "x.parquet").exists()


def test_a_target_column_is_passed_as_y(workdir, invoke):
    proc = invoke("-q", "fit", "real.csv", "--generator", "GaussianCopulaGenerator", "--target",
                  "income", "--param", "marginals='kde'", "--out", "cond.skm", cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    header = (workdir / "cond.skm").read_bytes().split(b"\n")[1]
    assert json.loads(header)["target"] == "income"
    proc = invoke("-q", "sample", "cond.skm", "-n", "50", "--out", "cond.csv", cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    out = pd.read_csv(workdir / "cond.csv")
    assert list(out.columns) == list(pd.read_csv(workdir / "real.csv").columns)


@pytest.mark.parametrize("args, match", [
    (("fit", "missing.csv", "--generator", "copula", "--out", "m.skm"),
     "data file 'missing.csv' does not exist"),
    (("fit", "garbage.csv", "--generator", "copula", "--out", "m.skm"),
     "cannot read data file 'garbage.csv' as CSV"),
    (("fit", "empty.csv", "--generator", "copula", "--out", "m.skm"),
     "data file 'empty.csv' is empty"),
    (("fit", "real.csv", "--generator", "nope", "--out", "m.skm"),
     "unknown generator 'nope'; available: "),
    (("fit", "real.csv", "--generator", "copula", "--param", "bogus=1", "--out", "m.skm"),
     "unknown parameter 'bogus' for GaussianCopulaGenerator"),
    (("fit", "real.csv", "--generator", "copula", "--param", "novalue", "--out", "m.skm"),
     "--param expects KEY=VALUE"),
    (("fit", "real.csv", "--generator", "copula", "--target", "nope", "--out", "m.skm"),
     "unknown column 'nope' for --target"),
    (("fit", "real.csv", "--generator", "copula", "--param", "marginals='bad'", "--out",
      "m.skm"), "fitting GaussianCopulaGenerator failed"),
    (("fit", "real.csv", "--generator", "copula", "--constraint", "__import__('os')",
      "--out", "m.skm"), "names '__import__', which is not a constraint"),
    (("fit", "real.csv", "--generator", "copula", "--constraint", "Range(age, open(0))",
      "--out", "m.skm"), "argument 2 is not a literal ('open(0)')"),
    (("fit", "real.csv", "--generator", "copula", "--constraint", "Range('nope', 0, 1)",
      "--out", "m.skm"), "nope"),
    (("fit", "real.csv", "--generator", "GaussianGenerator", "--constraint",
      "Range('age', 0, 1)", "--out", "m.skm"), "GaussianGenerator takes no constraints"),
    (("fit", "real.xlsx", "--generator", "copula", "--out", "m.skm"),
     "does not exist"),
    (("fit", "real.csv", "--generator", "copula", "--out", "real.csv"),
     "refusing to overwrite the input file 'real.csv'"),
    (("sample", "real.csv", "-n", "5", "--out", "o.csv"), "is not an sksynth model file"),
    (("sample", "old.skm", "-n", "5", "--out", "o.csv"),
     "was written by sksynth 0.0.1, but this is sksynth"),
    (("sample", "broken.skm", "-n", "5", "--out", "o.csv"), "damaged sksynth model file"),
    (("sample", "model.skm", "-n", "5", "--out", "model.skm"),
     "refusing to overwrite the input file 'model.skm'"),
    (("sample", "model.skm", "-n", "5", "--out", "o.xlsx"), "cannot tell the format"),
    (("sample", "model.skm", "-n", "5", "--out", "no/such/dir/o.csv"),
     "the directory of output 'no/such/dir/o.csv' does not exist"),
    (("evaluate", "real.csv", "other.csv", "--report", "r.html"),
     "synthetic does not have the columns of real: missing columns"),
    (("evaluate", "real.csv", "real.csv", "--holdout", "holdout.csv", "--target", "nope",
      "--report", "r.html"), "unknown column 'nope' for --target"),
    (("evaluate", "real.csv", "real.csv", "--target", "income", "--report", "r.html"),
     "--target needs --holdout"),
    (("evaluate", "real.csv", "holdout.csv", "--report", "holdout.csv"),
     "refusing to overwrite the input file 'holdout.csv'"),
])
def test_bad_input_is_one_clear_line(workdir, args, match, invoke):
    # in-process; test_bad_input_in_a_subprocess checks real processes
    _write_bad_inputs(workdir)
    inputs = {name: (workdir / name).read_bytes() for name in ("real.csv", "holdout.csv",
                                                               "model.skm")}
    assert_clean_error(invoke("-q", *args, cwd=workdir), match)
    # inputs are never touched
    for name, content in inputs.items():
        assert (workdir / name).read_bytes() == content


@pytest.mark.parametrize("args, match", [
    (("fit", "garbage.csv", "--generator", "copula", "--out", "m.skm"),
     "cannot read data file 'garbage.csv' as CSV"),
    (("sample", "old.skm", "-n", "5", "--out", "o.csv"),
     "was written by sksynth 0.0.1, but this is sksynth"),
    (("evaluate", "real.csv", "holdout.csv", "--report", "holdout.csv"),
     "refusing to overwrite the input file 'holdout.csv'"),
])
def test_bad_input_in_a_subprocess(workdir, args, match):
    _write_bad_inputs(workdir)
    before = (workdir / "holdout.csv").read_bytes()
    assert_clean_error(run(*args, cwd=workdir), match)
    assert (workdir / "holdout.csv").read_bytes() == before


def _write_bad_inputs(workdir):
    (workdir / "garbage.csv").write_bytes(np.random.default_rng(0).bytes(2000))
    (workdir / "empty.csv").write_text("")
    pd.DataFrame({"a": [1, 2]}).to_csv(workdir / "other.csv", index=False)
    model = (workdir / "model.skm").read_bytes()
    magic, header, payload = model.split(b"\n", 2)
    old = json.loads(header)
    old["sksynth_version"] = "0.0.1"
    (workdir / "old.skm").write_bytes(magic + b"\n" + json.dumps(old).encode() + b"\n" + payload)
    (workdir / "broken.skm").write_bytes(magic + b"\n" + header + b"\n" + payload[:100])


def test_usage_errors_exit_2(workdir):
    proc = run("sample", "model.skm", "-n", "-3", "--out", "o.csv", cwd=workdir)
    assert_clean_error(proc, "expected a non-negative number", code=2)
    proc = run("frobnicate", cwd=workdir)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    proc = run("--version", cwd=workdir)
    assert proc.returncode == 0 and proc.stdout.strip() == f"sksynth {sksynth.__version__}"


def test_atomic_output_keeps_the_old_file_on_failure(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as tmp:
            with open(tmp, "w") as fh:
                fh.write("half")
            raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.csv"]


def test_demo_writes_reports_and_summary(tmp_path):
    proc = run("demo", "--out", "demo", "--rows", "500", "--holdout-rows", "300",
               "--generators", "copula", "--n-bootstrap", "10", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    files = sorted(os.listdir(tmp_path / "demo"))
    assert files == ["index.html", "inference.csv", "report_GaussianCopulaGenerator.html",
                     "summary.csv"]
    summary = pd.read_csv(tmp_path / "demo" / "summary.csv")
    assert set(summary["generator"]) == {"GaussianCopulaGenerator"}
    assert "GaussianCopulaGenerator" in proc.stdout and "demo" in proc.stderr
    index = (tmp_path / "demo" / "index.html").read_text(encoding="utf-8")
    page = (tmp_path / "demo" / "report_GaussianCopulaGenerator.html").read_text(
        encoding="utf-8")
    # one utility score, labelled alike in index.html and on the report's card
    assert "<th>TSTR ROC-AUC (↑)</th>" in index and "TSTR ROC-AUC<br>" in page
    assert "accuracy" not in index
    assert '<a href="inference.csv">inference.csv</a>' in index
    assert "<th>warnings</th>" in index and "<h2>Warnings</h2>" in index
    # the warnings printed are those of the report, one line each, named by generator
    printed = [line for line in proc.stderr.splitlines() if line.startswith("warning: ")]
    assert all(line.startswith("warning: GaussianCopulaGenerator: ") for line in printed)
    assert len(printed) == page.count("<li>")
    inference = pd.read_csv(tmp_path / "demo" / "inference.csv")
    assert len(inference) == 6 and (inference.ci_low < inference.estimate).all()
    real_mean = inference.query("data == 'real' and estimand == 'mean(hours_per_week)'")
    debiased = inference.query("data == 'debiased synthetic' and estimand == "
                               "'mean(hours_per_week)'")
    # the debiased estimate lies within the real interval's half-width of the real one
    half = (real_mean.ci_high - real_mean.ci_low).iloc[0] / 2
    assert abs(debiased.estimate.iloc[0] - real_mean.estimate.iloc[0]) < half


def test_demo_falls_back_to_the_gaussian_mixture(tmp_path, monkeypatch, capsys):
    classes = _demo._generator_classes()
    monkeypatch.setattr(_demo, "_generator_classes", lambda: {
        k: v for k, v in classes.items() if k not in cli.DEMO_GENERATORS})
    status = cli.main(["-q", "demo", "--out", str(tmp_path / "d"), "--rows", "400",
                       "--holdout-rows", "200", "--n-bootstrap", "0"])
    assert status == 0
    assert "using GaussianMixtureGenerator" in capsys.readouterr().err
    summary = pd.read_csv(tmp_path / "d" / "summary.csv")
    assert set(summary["generator"]) == {"GaussianMixtureGenerator"}
    assert set(summary["column"].dropna()) <= set(
        load_adult().frame.select_dtypes("number").columns) | {"income"}


def test_model_files_round_trip_in_process(tmp_path, rng):
    from sksynth.generators import GaussianGenerator

    gen = GaussianGenerator(random_state=0).fit(rng.normal(size=(50, 2)))
    cli.save_model({"generator": gen, "columns": ["a", "b"]}, tmp_path / "g.skm")
    header, payload = cli.load_model(str(tmp_path / "g.skm"))
    assert header["format"] == "sksynth-model" and header["sksynth_version"] == sksynth.__version__
    np.testing.assert_array_equal(payload["generator"].sample(3, random_state=1),
                                  gen.sample(3, random_state=1))


# ---------------------------------------------------------------------------
# CSV dialects
# ---------------------------------------------------------------------------
def _european_csv(path, n=300):
    """A numeric table as a European spreadsheet writes it: ';' and decimal commas."""
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"height": rng.normal(170, 10, n).round(2),
                          "weight": rng.normal(70, 8, n).round(2),
                          "score": rng.uniform(0, 1, n).round(4)})
    frame.to_csv(path, sep=";", decimal=",", index=False)
    return frame


def test_a_semicolon_csv_with_decimal_commas_is_sniffed(tmp_path, invoke):
    truth = _european_csv(tmp_path / "eu.csv")
    pd.testing.assert_frame_equal(cli.read_table(str(tmp_path / "eu.csv")), truth)
    proc = invoke("-q", "fit", "eu.csv", "--generator", "copula", "--seed", "0", "--out",
                  "eu.skm", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    header, payload = cli.load_model(str(tmp_path / "eu.skm"))
    assert header["columns"] == ["height", "weight", "score"]
    assert payload["generator"].n_features_in_ == 3
    proc = invoke("-q", "sample", "eu.skm", "-n", "1000", "--seed", "1", "--out", "syn.csv",
                  cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    syn = pd.read_csv(tmp_path / "syn.csv")
    assert list(syn.columns) == list(truth.columns)
    assert all(np.issubdtype(t, np.number) for t in syn.dtypes)
    # no training line comes back, neither as text (in either dialect) nor as a row
    lines = set((tmp_path / "eu.csv").read_text().splitlines()[1:])
    assert not lines & set((tmp_path / "syn.csv").read_text().splitlines()[1:])
    assert not lines & set(syn.to_csv(sep=";", decimal=",", index=False).splitlines()[1:])
    copies = syn.merge(truth.drop_duplicates(), how="inner")
    assert len(copies) == 0


@pytest.mark.parametrize("text, columns", [
    ("\ufeffa,b\n1,x\n2,y\n", ["a", "b"]),              # a UTF-8 byte-order mark
    ("a\tb\n1\tx\n2\ty\n", ["a", "b"]),                 # tabs in a .csv
    ("a|b\n1|x\n2|y\n", ["a", "b"]),
    ('a;b\n1;"x;y"\n2;"z"\n', ["a", "b"]),              # quoted delimiter
    ("name\nAnn\nBob\n", ["name"]),                     # one column is fine
])
def test_dialects(tmp_path, text, columns):
    (tmp_path / "t.csv").write_text(text, encoding="utf-8")
    frame = cli.read_table(str(tmp_path / "t.csv"))
    assert list(frame.columns) == columns and len(frame) == 2
    if "x;y" in text:
        assert frame["b"].tolist() == ["x;y", "z"]


def test_one_column_holding_another_delimiter_is_refused(tmp_path, invoke):
    _european_csv(tmp_path / "eu.csv")
    proc = invoke("-q", "fit", "eu.csv", "--generator", "copula", "--sep", ",", "--out",
                  "m.skm", cwd=tmp_path)
    assert_clean_error(proc, "parses to one column with the delimiter ',', but each of its "
                             "lines holds ';'; pass --sep ';'")
    assert not (tmp_path / "m.skm").exists()
    frame = cli.read_table(str(tmp_path / "eu.csv"), sep=";", decimal=",")
    assert frame.shape == (300, 3) and frame.dtypes.eq(float).all()
    # a decimal comma forced off leaves text, not numbers
    text = cli.read_table(str(tmp_path / "eu.csv"), sep=";", decimal=".")
    assert not any(pd.api.types.is_numeric_dtype(t) for t in text.dtypes)


# ---------------------------------------------------------------------------
# outputs
# ---------------------------------------------------------------------------
def test_existing_outputs_need_force_and_inputs_never_are_written(workdir, invoke):
    (workdir / "taken.csv").write_text("keep me\n")
    proc = invoke("-q", "sample", "model.skm", "-n", "5", "--out", "taken.csv", cwd=workdir)
    assert_clean_error(proc, "output 'taken.csv' already exists; pass --force to overwrite it")
    assert (workdir / "taken.csv").read_text() == "keep me\n"
    proc = invoke("-q", "sample", "model.skm", "-n", "5", "--out", "taken.csv", "--force",
                  cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    assert len(pd.read_csv(workdir / "taken.csv")) == 5
    before = (workdir / "real.csv").read_bytes()
    for args in (("fit", "real.csv", "--generator", "copula", "--out", "real.csv"),
                 ("evaluate", "real.csv", "taken.csv", "--report", "real.csv"),
                 ("evaluate", "real.csv", "taken.csv", "--report", "r9.html", "--summary",
                  "real.csv")):
        proc = invoke("-q", *args, "--force", cwd=workdir)
        assert_clean_error(proc, "refusing to overwrite the input file 'real.csv'")
    assert (workdir / "real.csv").read_bytes() == before
    proc = invoke("-q", "fit", "real.csv", "--generator", "copula", "--out", "model.skm",
                  cwd=workdir)
    assert_clean_error(proc, "model file 'model.skm' already exists; pass --force")


def test_the_summary_is_compressed_by_its_suffix(workdir, invoke):
    proc = invoke("-q", "evaluate", "real.csv", "holdout.csv", "--no-detection", "--report",
                  "z.html", "--summary", "m.csv.gz", cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    assert (workdir / "m.csv.gz").read_bytes()[:2] == b"\x1f\x8b"
    summary = pd.read_csv(workdir / "m.csv.gz")
    assert "quality_score" in set(summary["metric"])


def test_zstd_output_without_zstandard_is_a_clear_error(workdir, invoke, monkeypatch):
    monkeypatch.setitem(sys.modules, "zstandard", None)
    proc = invoke("-q", "sample", "model.skm", "-n", "5", "--out", "s.csv.zst", cwd=workdir)
    assert_clean_error(proc, "needs zstandard: pip install zstandard")
    assert not (workdir / "s.csv.zst").exists()


def test_sigterm_removes_the_temporary_file(workdir):
    import signal
    import time

    proc = subprocess.Popen([sys.executable, "-m", "sksynth", "-q", "sample", "model.skm",
                             "-n", "1e8", "--batch-size", "2000", "--out", "big.csv"],
                            cwd=workdir, env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not [f for f in os.listdir(workdir) if f.endswith(".tmp")]:
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, err
    assert "sksynth: terminated" in err and "Traceback" not in err
    assert not [f for f in os.listdir(workdir) if f.endswith(".tmp")]
    assert not (workdir / "big.csv").exists()


def test_sample_help_says_model_files_run_no_code(workdir):
    proc = run("sample", "--help", cwd=workdir)
    text = " ".join(proc.stdout.split())
    assert proc.returncode == 0
    assert "loaded without running code from them" in text
    assert "--trust-pickle" in text and "runs any code the file holds" in text
    doc = " ".join(cli.__doc__.replace("**", "").split())
    assert "Loading a model file runs no code from it" in doc


def test_sample_refuses_old_pickle_files_unless_trusted(workdir, invoke):
    import joblib

    _, payload = cli.load_model(str(workdir / "model.skm"))
    model = (workdir / "model.skm").read_bytes()
    magic, header, _ = model.split(b"\n", 2)
    old = json.loads(header)
    old["format_version"] = 1
    with open(workdir / "pickled.skm", "wb") as fh:
        fh.write(magic + b"\n" + json.dumps(old).encode() + b"\n")
        joblib.dump(payload, fh)
    proc = invoke("-q", "sample", "pickled.skm", "-n", "5", "--out", "p1.csv", cwd=workdir)
    assert_clean_error(proc, "payload is a pickle, which can run any code when loaded")
    proc = invoke("-q", "sample", "pickled.skm", "-n", "5", "--seed", "2", "--trust-pickle",
                  "--out", "p2.csv", cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    assert "warning: loading the pickle in 'pickled.skm' (--trust-pickle)" in proc.stderr
    proc = invoke("-q", "sample", "model.skm", "-n", "5", "--seed", "2", "--out", "p3.csv",
                  cwd=workdir)
    pd.testing.assert_frame_equal(pd.read_csv(workdir / "p2.csv"), pd.read_csv(workdir / "p3.csv"))
