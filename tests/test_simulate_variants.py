"""Variants of a scenario: ``extends`` in scenario files, `compare_variants`, and the command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agentroute import InvalidDataError, InvalidValueError
from agentroute.cli import main
from agentroute.config import read
from agentroute.simulate import compare_variants, simulate
from agentroute.simulate.scenario import load, merge, parse

EXAMPLES = Path(__file__).parent.parent / "examples" / "scenarios"

BASE = """
duration_s = 7200
sla_target_s = 30

[router.departments.help]
strategies = { chat = "least_busy" }

[router.agents.ana]
capacity = { chat = 1 }
departments = { help = ["chat"] }

[[arrivals]]
department = "help"
channel = "chat"
rate_per_hour = 24

[handling.chat]
distribution = "lognormal"
mean_s = 240
sigma = 0.5
"""

#: A variant of BASE with a second agent.
PLUS_ONE = """
extends = "base.toml"

[router.agents.bob]
capacity = { chat = 1 }
departments = { help = ["chat"] }
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def desk(tmp_path: Path) -> tuple[Path, Path]:
    """Return the base scenario file and a variant of it with one more agent."""
    return write(tmp_path / "base.toml", BASE), write(tmp_path / "plus-one.toml", PLUS_ONE)


# -- extends ----------------------------------------------------------------------


def test_a_variant_merges_tables_and_replaces_everything_else(tmp_path: Path) -> None:
    """Tables merge key by key at every depth; values, arrays included, replace the base's."""
    write(tmp_path / "base.toml", BASE)
    variant = write(
        tmp_path / "variant.toml",
        'extends = "base.toml"\nduration_s = 3600\n'
        "[router.agents.ana]\ncapacity = { chat = 2 }\n"
        "[handling.chat]\nmean_s = 300\n"
        '[[arrivals]]\ndepartment = "help"\nchannel = "chat"\nrate_per_hour = 5\n',
    )

    scenario = load(variant)

    assert 3600.0 == scenario.duration_s
    assert 30.0 == scenario.sla_target_s
    assert {"chat": 2} == scenario.router["agents"]["ana"]["capacity"]
    assert {"help": ["chat"]} == scenario.router["agents"]["ana"]["departments"]
    assert ("lognormal", 300.0, 0.5) == (
        scenario.handling["chat"].distribution,
        scenario.handling["chat"].mean_s,
        scenario.handling["chat"].sigma,
    )
    assert [5.0] == [stream.rate_per_hour for stream in scenario.arrivals]


def test_merge_changes_neither_argument() -> None:
    """merge() returns a new dict and leaves the base and the variant as they were."""
    base: dict[str, Any] = {"router": {"agents": {"ana": {"capacity": {"chat": 1}}}}, "x": [1]}
    over: dict[str, Any] = {"router": {"agents": {"ana": {"capacity": {"call": 1}}}}, "x": {}}

    merged = merge(base, over)

    assert {"router": {"agents": {"ana": {"capacity": {"chat": 1, "call": 1}}}}, "x": {}} == merged
    assert {"router": {"agents": {"ana": {"capacity": {"chat": 1}}}}, "x": [1]} == base
    assert {"router": {"agents": {"ana": {"capacity": {"call": 1}}}}, "x": {}} == over


def test_extends_chains_from_each_files_folder(tmp_path: Path) -> None:
    """A base may extend another; each extends is relative to the folder of its own file."""
    write(tmp_path / "shared" / "base.toml", BASE)
    write(tmp_path / "shared" / "longer.toml", 'extends = "base.toml"\nduration_s = 10800\n')
    variant = write(
        tmp_path / "teams" / "late.json",
        json.dumps({"extends": "../shared/longer.toml", "sla_target_s": 60}),
    )

    scenario = load(variant)

    assert (10800.0, 60.0, 24.0) == (
        scenario.duration_s,
        scenario.sla_target_s,
        scenario.arrivals[0].rate_per_hour,
    )


@pytest.mark.parametrize("depth", [1, 2])
def test_a_cycle_is_refused_naming_the_files(tmp_path: Path, depth: int) -> None:
    """A file that extends itself, directly or through another, is refused with the files named."""
    first = write(
        tmp_path / "a.toml", 'extends = "b.toml"\n' if depth == 2 else 'extends = "a.toml"'
    )
    write(tmp_path / "b.toml", 'extends = "a.toml"\n')

    with pytest.raises(InvalidDataError) as caught:
        load(first)

    (problem,) = caught.value.problems
    assert problem.startswith("extends: a cycle: ")
    files = ["a.toml", "b.toml", "a.toml"] if depth == 2 else ["a.toml", "a.toml"]
    assert " extends ".join(str(tmp_path / name) for name in files) in problem


@pytest.mark.parametrize("named", ["1", '"base.yaml"', '["base.toml"]'])
def test_extends_must_name_a_scenario_file(tmp_path: Path, named: str) -> None:
    """An extends that is not the path of a .toml or .json file is refused, naming its file."""
    variant = write(tmp_path / "variant.toml", f"extends = {named}\n")

    with pytest.raises(InvalidDataError) as caught:
        load(variant)

    (problem,) = caught.value.problems
    assert problem.startswith("extends: must be the path of a .toml or .json scenario file")
    assert f"(in {variant})" in problem


def test_a_missing_or_broken_base_gives_the_files_error(tmp_path: Path) -> None:
    """A base that cannot be read or parsed raises what a scenario file would, naming the base."""
    variant = write(tmp_path / "variant.toml", 'extends = "base.toml"\n')

    with pytest.raises(FileNotFoundError) as missing:
        load(variant)
    write(tmp_path / "base.toml", "duration_s = ")
    with pytest.raises(InvalidValueError) as broken:
        load(variant)
    write(tmp_path / "variant.toml", 'extends = "base.json"\n')
    write(tmp_path / "base.json", "[1]")
    with pytest.raises(InvalidDataError) as listed:
        load(variant)

    assert str(tmp_path / "base.toml") == missing.value.filename
    assert [f"extended by {variant}"] == missing.value.__notes__
    assert str(tmp_path / "base.toml") == broken.value.path
    assert "is not valid TOML" in str(broken.value)
    assert (f"(top level): expected an object, got [1] (in {tmp_path / 'base.json'})",) == (
        listed.value.problems
    )


def test_a_missing_base_deep_in_a_chain_names_the_file_extending_it(tmp_path: Path) -> None:
    """Only the base that cannot be read gets the note, naming the file that extends it."""
    middle = write(tmp_path / "middle.toml", 'extends = "gone/base.toml"\n')
    top = write(tmp_path / "top.toml", 'extends = "middle.toml"\n')

    with pytest.raises(FileNotFoundError) as missing:
        load(top)
    with pytest.raises(FileNotFoundError) as alone:
        load(tmp_path / "nothing.toml")

    assert str(tmp_path / "gone" / "base.toml") == missing.value.filename
    assert [f"extended by {middle}"] == missing.value.__notes__
    assert not hasattr(alone.value, "__notes__")


def test_a_trace_starts_from_the_folder_of_the_file_naming_it(tmp_path: Path) -> None:
    """A base's relative trace starts from the base's folder, a variant's from the variant's."""
    rows = "arrival_s,channel,department,handling_s\n0,chat,help,60\n"
    write(tmp_path / "base" / "calls.csv", rows)
    write(tmp_path / "variant" / "calls.csv", rows + "1,chat,help,60\n")
    write(tmp_path / "base" / "base.toml", 'trace = "calls.csv"\n' + BASE)
    inherits = write(tmp_path / "variant" / "inherits.toml", 'extends = "../base/base.toml"\n')
    replaces = write(
        tmp_path / "variant" / "replaces.toml",
        'extends = "../base/base.toml"\ntrace = "calls.csv"\n',
    )

    inherited = load(inherits)
    replaced = load(replaces)

    assert inherited.recorded is not None
    assert replaced.recorded is not None
    assert (1, 2) == (len(inherited.recorded), len(replaced.recorded))


def test_parse_refuses_extends() -> None:
    """A dict cannot extend a file: parse() says to use load()."""
    with pytest.raises(InvalidDataError) as caught:
        parse({"extends": "helpdesk.toml", "duration_s": 60})

    (problem,) = caught.value.problems
    assert problem.startswith("extends: names a base scenario file ('helpdesk.toml')")
    assert "load()" in problem


# -- compare_variants ---------------------------------------------------------------


def test_variants_see_the_same_customers(desk: tuple[Path, Path]) -> None:
    """With the same seed, variants that differ in agents only are offered the same items."""
    base, plus_one = desk

    runs = compare_variants({"base": load(base), "plus one": load(plus_one)}, seed=4)

    assert ["base", "plus one"] == list(runs)
    assert runs["base"].offered == runs["plus one"].offered
    assert runs["base"].asa_s is not None
    assert runs["plus one"].asa_s is not None
    assert runs["plus one"].asa_s < runs["base"].asa_s
    assert ("base", "plus one") == (runs["base"].variant, runs["plus one"].variant)


def test_a_variant_runs_as_simulate_runs_it(desk: tuple[Path, Path]) -> None:
    """A variant's report is simulate()'s, bit for bit, but for its variant name."""
    base, _ = desk

    runs = compare_variants({"base": load(base)}, seed=9)
    alone = simulate(load(base), seed=9)

    assert {**alone.to_dict(), "variant": "base"} == runs["base"].to_dict()
    assert ["Variant", "base"] == str(runs["base"]).splitlines()[0].split()
    assert "Variant" not in str(alone)


def test_variants_times_strategies(desk: tuple[Path, Path]) -> None:
    """With strategies, each variant runs once per strategy, named variant/strategy."""
    base, plus_one = desk
    told: list[float] = []

    runs = compare_variants(
        {"base": load(base), "plus": load(plus_one)},
        strategies=["least_busy", "round_robin"],
        progress=told.append,
    )

    expected = ["base/least_busy", "base/round_robin", "plus/least_busy", "plus/round_robin"]
    assert expected == list(runs)
    assert ["least_busy", "round_robin"] * 2 == [run.strategy for run in runs.values()]
    assert 0.0 == told[0]
    assert 1.0 == told[-1]
    assert told == sorted(told)


def test_every_variant_is_checked_before_anything_runs(desk: tuple[Path, Path]) -> None:
    """A bad variant (its router included) is refused, named, before any run starts."""
    base, _ = desk
    bad = merge(read(base), {"arrivals": [{"department": "nowhere"}]})
    unknown = merge(read(base), {"breaks": [{"agent": "zoe", "at": "09:00", "duration_s": 60}]})
    told: list[float] = []

    with pytest.raises(InvalidDataError) as parsing:
        compare_variants({"base": load(base), "bad": bad}, progress=told.append)
    with pytest.raises(InvalidDataError) as building:
        compare_variants({"base": load(base), "unknown": unknown}, progress=told.append)

    assert "scenario 'bad'" == parsing.value.what
    assert any(problem.startswith("arrivals[0].channel") for problem in parsing.value.problems)
    assert "scenario 'unknown'" == building.value.what
    assert building.value.problems[0].startswith("breaks[0].agent: unknown agent 'zoe'")
    assert [] == told


@pytest.mark.parametrize(
    ("variants", "strategies", "path"),
    [({}, None, "variants"), ({"x": {}}, ["fastest"], "strategy")],
)
def test_bad_arguments(variants: dict[str, Any], strategies: list[str] | None, path: str) -> None:
    """No variants, or an unknown strategy, raise InvalidValueError naming the argument."""
    with pytest.raises(InvalidValueError) as caught:
        compare_variants(variants, strategies=strategies)

    assert path == caught.value.path


def test_two_agents_on_monday_mornings_shorten_the_peak() -> None:
    """The bundled variant answers the same customers faster than the helpdesk it extends."""
    files = {
        name: load(EXAMPLES / f"{name}.toml") for name in ("helpdesk", "helpdesk-monday-plus-two")
    }

    runs = compare_variants(files, seed=0)
    base, plus_two = runs["helpdesk"], runs["helpdesk-monday-plus-two"]

    assert base.offered == plus_two.offered
    assert {"max", "nia"} == set(plus_two.handled_by) - set(base.handled_by)
    assert plus_two.service_level > base.service_level + 0.05
    assert base.asa_s is not None
    assert plus_two.asa_s is not None
    assert plus_two.asa_s < base.asa_s / 2
    assert plus_two.abandoned < base.abandoned


# -- the command --------------------------------------------------------------------


def test_the_command_compares_files_by_stem(
    desk: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Several files run with one seed, in columns and JSON reports named by their stems."""
    base, plus_one = desk
    out = tmp_path / "out" / "runs.json"

    status = main(["simulate", str(base), str(plus_one), "--json", str(out), "--no-progress"])

    assert 0 == status
    printed = capsys.readouterr().out
    assert "base.toml vs plus-one.toml (seed 0)" in printed
    assert "plus-one" in printed
    document = json.loads(out.read_text(encoding="utf-8"))
    assert {"base": str(base), "plus-one": str(plus_one)} == document["scenarios"]
    assert "scenario" not in document
    assert ["base", "plus-one"] == list(document["reports"])
    assert "plus-one" == document["reports"]["plus-one"]["variant"]
    assert document["reports"]["base"]["offered"] == document["reports"]["plus-one"]["offered"]


def test_the_command_compares_files_times_strategies(
    desk: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --strategies, the columns are stem/strategy, in the table, the JSON and the plot."""
    base, plus_one = desk
    out, picture = tmp_path / "runs.json", tmp_path / "runs.png"
    argv = ["simulate", str(base), str(plus_one), "--strategies", "least_busy,most_busy"]

    status = main([*argv, "--json", str(out), "--plot", str(picture), "--no-progress"])

    assert 0 == status
    assert "plus-one/most_busy" in capsys.readouterr().out
    expected = ["base/least_busy", "base/most_busy", "plus-one/least_busy", "plus-one/most_busy"]
    assert expected == list(json.loads(out.read_text(encoding="utf-8"))["reports"])
    assert picture.stat().st_size > 0


def test_alike_stems_are_labelled_by_path(
    desk: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two files of one stem are named by their paths; one file given twice is refused."""
    base, _ = desk
    other = write(tmp_path / "other" / "base.toml", BASE.replace("24", "12"))
    out = tmp_path / "runs.json"

    status = main(["simulate", str(base), str(other), "--json", str(out), "--no-progress"])
    twice = main(["simulate", str(base), str(base)])

    assert 0 == status
    assert [str(base), str(other)] == list(json.loads(out.read_text(encoding="utf-8"))["reports"])
    assert 2 == twice
    assert f"argument SCENARIO: {base} is given twice" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            "[[arrivals]]\ndepartment = 'help'\nchannel = 'chat'\nrate_per_hour = 0\n",
            "  arrivals[0].rate_per_hour: must be > 0, got 0.0",
        ),
        (
            "[[breaks]]\nagent = 'zoe'\nat = '09:00'\nduration_s = 60\n",
            "  breaks[0].agent: unknown agent 'zoe'",
        ),
    ],
)
def test_a_bad_variant_exits_2_naming_its_file_and_key_path(
    desk: tuple[Path, Path], change: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A variant refused when loaded, or when its router is built, is named with the key path."""
    base, plus_one = desk
    write(plus_one, PLUS_ONE + change)

    status = main(["simulate", str(base), str(plus_one), "--no-progress"])

    assert 2 == status
    err = capsys.readouterr().err
    assert f"error: {plus_one} is not a valid scenario:" in err
    assert problem in err


def test_a_bad_base_exits_2_naming_the_base(
    desk: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A variant's base that cannot be read or parsed is named by its own path."""
    base, plus_one = desk
    base.rename(base.with_suffix(".old"))

    missing = main(["simulate", str(plus_one)])
    missing_err = capsys.readouterr().err
    write(base, "duration_s = ")
    broken = main(["simulate", str(plus_one)])
    broken_err = capsys.readouterr().err

    assert (2, 2) == (missing, broken)
    assert f"argument SCENARIO: cannot read {base} (extended by {plus_one}): " in missing_err
    assert f"argument SCENARIO: {base} is not valid TOML" in broken_err
