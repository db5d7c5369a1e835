"""Bad inputs of the scenarios stage: primitives, distributions, scenarios, TOML files."""

from __future__ import annotations

from cases import case

from forecast import (
    Adoption,
    Bernoulli,
    Beta,
    DiscreteUniform,
    Distribution,
    Escalation,
    GrowthShift,
    LevelShift,
    LogNormal,
    Normal,
    Scenario,
    ScenarioSet,
    Triangular,
    Uniform,
    Volatility,
    dump_scenarios,
    load_scenarios,
    loads_scenarios,
)
from forecast.errors import (
    ConfigError,
    ForecastTypeError,
    OutputError,
    ParameterError,
    ScenarioError,
)


def _call(fn):
    return lambda w, p, mp: fn()


PRIMITIVES = {
    "level-shift-minus-100": (lambda: LevelShift(2027, -100.0), ParameterError,
                              ("`size`", "-100.0", "log points")),
    "level-shift-wide-uniform": (lambda: LevelShift(2027, Uniform(-10, 0)), ParameterError,
                                 ("`size`", "Uniform(low=-10.0")),
    "level-shift-wide-normal": (lambda: LevelShift(2027, Normal(0, 10)), ParameterError,
                                ("`size`", "sd=10.0")),
    "growth-shift-200-percent": (lambda: GrowthShift(2027, 2.0), ParameterError,
                                 ("`delta`", "2.0")),
    "adoption-ceiling-50": (lambda: Adoption(2027, 50.0), ParameterError, ("`ceiling`", "50.0")),
    "escalation-jump-30": (lambda: Escalation(2027, 0.2, -30.0), ParameterError,
                           ("`size`", "-30.0")),
    "escalation-rate-1.5": (lambda: Escalation(2027, 1.5, -0.01), ParameterError,
                            ("`rate`", "1.5")),
    "volatility-50": (lambda: Volatility(2027, 50.0), ParameterError, ("`scale`", "50.0")),
    "volatility-negative": (lambda: Volatility(2027, -1.0), ParameterError, ("`scale`", "-1")),
    "start-1800": (lambda: LevelShift(1800, -0.1), ParameterError, ("`start`", "1800")),
    "start-fraction": (lambda: LevelShift(2027.5, -0.1), ForecastTypeError,
                       ("`start`", "2027.5")),
    "start-text": (lambda: LevelShift("2027", -0.1), ForecastTypeError, ("`start`", "'2027'")),
    "name-newline": (lambda: LevelShift(2027, -0.1, name="a\nb"), ParameterError,
                     ("`name`", "'a\\nb'", "line breaks")),
    "name-dot": (lambda: LevelShift(2027, -0.1, name="a.b"), ParameterError,
                 ("`name`", "'a.b'")),
    "probability-1.5": (lambda: LevelShift(2027, -0.1, probability=1.5), ParameterError,
                        ("`probability`", "1.5")),
    "phase-in-half": (lambda: LevelShift(2027, -0.1, phase_in=0.5), ParameterError,
                      ("`phase_in`", "0.5")),
    "end-before-start": (lambda: GrowthShift(2027, 0.01, end=2020), ParameterError,
                         ("`end`", "end=2020")),
    "half-life-negative": (lambda: GrowthShift(2027, 0.01, half_life=-1.0), ParameterError,
                           ("`half_life`", "-1.0")),
    "uniform-overflow": (lambda: Uniform(-1e308, 1e308), ParameterError,
                         ("`Uniform.low`", "-1e+308")),
    "uniform-reversed": (lambda: Uniform(1.0, 0.0), ParameterError, ("`Uniform.high`", "0.0")),
    "uniform-infinite": (lambda: Uniform(0.0, float("inf")), ParameterError,
                         ("`Uniform.high`", "inf")),
    "normal-sd-negative": (lambda: Normal(0.0, -1.0), ParameterError, ("`Normal.sd`", "-1.0")),
    "triangular-mode": (lambda: Triangular(0.0, 2.0, 1.0), ParameterError,
                        ("`Triangular.high`", "1.0")),
    "beta-a-zero": (lambda: Beta(0.0, 1.0), ParameterError, ("`Beta.a`", "0.0")),
    "discrete-uniform-fraction": (lambda: DiscreteUniform(2027.5, 2030), ForecastTypeError,
                                  ("`DiscreteUniform.low`", "2027.5")),
    "bernoulli-1.5": (lambda: Bernoulli(1.5), ParameterError, ("`Bernoulli.p`", "1.5")),
    "lognormal-negative": (lambda: LogNormal(-1.0, 0.1), ParameterError,
                           ("`LogNormal.median`", "-1.0")),
    "distribution-unknown": (lambda: Distribution.from_dict({"dist": "nope"}), ParameterError,
                             ("`dist`", "'nope'")),
    "distribution-missing-key": (lambda: Distribution.from_dict({"dist": "uniform", "low": 0}),
                                 ParameterError, ("`high`", "missing")),
    "scenario-bell": (lambda: Scenario("a\x07b"), ScenarioError, ("scenario name",
                                                                  "'a\\x07b'")),
    "scenario-spaces": (lambda: Scenario(" a "), ScenarioError, ("scenario name", "' a '")),
    "scenario-not-assumption": (lambda: Scenario("a", [1]), ForecastTypeError,
                                ("assumption", "1 (int)")),
    "scenario-duplicate-assumptions": (
        lambda: Scenario("a", [LevelShift(2027, -0.1, name="x"), LevelShift(2028, -0.1,
                                                                           name="x")]),
        ScenarioError, ("assumption names", "'x'")),
    "set-probabilities": (lambda: ScenarioSet((Scenario("a"), Scenario("b")), (0.5, 0.6)),
                          ParameterError, ("`probabilities`", "1.1")),
}
for _id, (_fn, _err, _needles) in PRIMITIVES.items():
    case("scenarios", _id, _err, *_needles)(_call(_fn))


HEAD = '[[scenario]]\nname = "a"\n[[scenario.assumption]]\ntype = "level_shift"\n'
TOML = {
    "toml-deep": ("x = " + "[" * 3000 + "]" * 3000, ("nested too deeply", "<string>")),
    "toml-syntax": ("[[scenario]\nname = 1", ("not valid TOML", "line 1")),
    "toml-unknown-key": ('[[scenario]]\nname = "a"\nbogus = 1\n',
                         ("scenario[1].bogus", "'bogus'", "Remove it")),
    "toml-start-fraction": (HEAD + "start = 2027.5\nsize = -0.1\n",
                            ("scenario[1].assumption[1].start", "2027.5")),
    "toml-start-fixed-fraction": (HEAD + 'start = {dist = "fixed", value = 2027.5}\n'
                                  "size = -0.1\n", ("assumption[1].start", "2027.5")),
    "toml-size-inf": (HEAD + "start = 2027\nsize = inf\n", ("assumption[1].size", "inf")),
    "toml-size-nan": (HEAD + "start = 2027\nsize = nan\n", ("assumption[1].size", "nan")),
    "toml-size-minus-100": (HEAD + "start = 2027\nsize = -100.0\n",
                            ("assumption[1].size", "-100.0")),
    "toml-name-newline": ('[[scenario]]\nname = "a\\nb"\n', ("scenario[1].name", "'a\\nb'")),
    "toml-missing-type": ('[[scenario]]\nname = "a"\n[[scenario.assumption]]\nstart = 2027\n',
                          ("assumption[1].type", "missing")),
    "toml-unknown-type": ('[[scenario]]\nname = "a"\n[[scenario.assumption]]\ntype = "jump"\n',
                          ("assumption[1].type", "'jump'")),
    "toml-missing-size": (HEAD + "start = 2027\n", ("assumption[1].size", "missing")),
    "toml-partial-probabilities": ('[[scenario]]\nname = "a"\nprobability = 0.5\n'
                                   '[[scenario]]\nname = "b"\n',
                                   ("scenario[2].probability", "missing")),
    "toml-duplicate-names": ('[[scenario]]\nname = "a"\n[[scenario]]\nname = "a"\n',
                             ("scenario[2].name", "'a'")),
    "toml-unknown-preset": ('[[scenario]]\nname = "a"\n[[scenario.assumption]]\n'
                            'preset = "tariffs"\n', ("assumption[1].preset", "'tariffs'")),
    "toml-preset-severity": ('[[scenario]]\nname = "a"\n[[scenario.assumption]]\n'
                             'preset = "trade_friction"\nseverity = "extreme"\n',
                             ("assumption[1].severity", "'extreme'")),
    "toml-no-scenario": ("", ("scenario", "missing")),
}
for _id, (_text, _needles) in TOML.items():
    case("scenarios", _id, ConfigError, *_needles)(
        (lambda text: lambda w, p, mp: loads_scenarios(text))(_text))


@case("scenarios", "loads-bytes", ForecastTypeError, "`text`", "bytes", "decode")
def _(w, p, mp):
    loads_scenarios(b'[[scenario]]\nname = "a"\n')


@case("scenarios", "load-int", ForecastTypeError, "`path`", "42")
def _(w, p, mp):
    load_scenarios(42)


@case("scenarios", "load-missing", ConfigError, "nope.toml", "not found")
def _(w, p, mp):
    load_scenarios(w.root / "nope.toml")


@case("scenarios", "load-folder", ConfigError, "user", "it is a folder")
def _(w, p, mp):
    load_scenarios(w.root / "user")


def _file(name: str, data: bytes):
    def setup(w, folder):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
        return folder / name

    return setup


@case("scenarios", "load-huge", ConfigError, "big.toml", "at most 1048576 bytes",
      setup=_file("big.toml", b"#" * 1_100_000))
def _(w, p, mp):
    load_scenarios(p)


@case("scenarios", "load-not-utf8", ConfigError, "latin.toml", "UTF-8", "byte",
      setup=_file("latin.toml", b'[[scenario]]\nname = "caf\xe9"\n'))
def _(w, p, mp):
    load_scenarios(p)


@case("scenarios", "dump-through-link", OutputError, "link.csv", "symbolic link")
def _(w, p, mp):
    dump_scenarios(Scenario("a"), w.root / "link.csv")


@case("scenarios", "dump-missing-folder", OutputError, "nowhere", "does not exist")
def _(w, p, mp):
    dump_scenarios(Scenario("a"), w.root / "nowhere" / "s.toml")
