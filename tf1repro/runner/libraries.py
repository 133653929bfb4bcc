"""``--with REQ`` / ``--requirements FILE``: the program's own libraries, beside ``.venv``.

    env = prepare(["scikit-learn==0.19.1"], None, log)   # None when nothing was asked
    env.folder      # .venv-programs/<hash>/, put last on the program's sys.path
    env.mapping     # [("scikit-learn==0.19.1", "scikit-learn==1.5.2", "no wheel for ...")]

The libraries are installed with ``pip install --target`` into a folder of
their own, named by the hash of what was asked and this Python's version, and
reused after that; ``.venv`` itself is never written.  ``.venv``'s own
packages are pip's constraints (a library needing NumPy gets ``.venv``'s
NumPy) and come first on the path, so TensorFlow and NumPy stay as they are.
An era pin (``==0.19.1``) has often no wheel for today's Python: it is mapped
to the nearest release at or after it that pip can install here without
building, and the mapping is said.  Installing is not running: a release
that installs may still fail on import under today's Python or NumPy
(tabulate 0.8.7: ``from collections import Iterable``; scikit-learn 1.1.3,
built for NumPy 1.x), so an exact pin's release is also imported beside
``.venv``, and when that fails the latest release of each later minor series
is tried, in order (a few at most), until one imports.  A library that fails
anyway is said in the header, and the summary names its failure as the
library's.  Only the packages asked for reach the registry, through pip.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

from tf1repro.errors import UserError

ENV = "TF1REPRO_PROGRAM_ENVS"  # where the environments live (default: .venv-programs beside .venv)
_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*==\s*([^\s;#,]+)\s*$")


@dataclass
class Environment:
    folder: str
    asked: list
    mapping: list = field(default_factory=list)  # (asked, installed, why)
    installed: list = field(default_factory=list)  # name-version of each distribution there
    import_errors: dict = field(default_factory=dict)  # installed requirement: its import's error

    def record(self):
        return {"folder": self.folder, "asked": self.asked, "installed": self.installed,
                "import_errors": self.import_errors,
                "mapping": [{"asked": a, "installed": i, "why": w} for a, i, w in self.mapping]}


def read_requirements(path):
    """The requirement lines of a requirements.txt (comments, blanks and pip options left out)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise UserError(f"--requirements {path}: cannot read it ({e.strerror})") from None
    lines = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    return [line for line in lines if line and not line.startswith("-")]


def root():
    if os.environ.get(ENV):
        return os.path.abspath(os.environ[ENV])
    venv = os.path.dirname(os.path.dirname(os.path.abspath(sys.executable)))
    return os.path.join(os.path.dirname(venv), ".venv-programs")


def _pip(*args, check=True):
    proc = subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
                          capture_output=True, text=True)
    if check and proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise UserError(f"pip {args[0]} {' '.join(a for a in args[1:] if not a.startswith('-'))} "
                        f"failed: {last}")
    return proc


def _constraints(folder):
    """``.venv``'s installed versions, as pip constraints (editable installs left out)."""
    frozen = _pip("freeze", "--exclude-editable").stdout.splitlines()
    path = os.path.join(folder, "constraints.txt")
    with open(path, "w") as f:
        f.write("\n".join(line for line in frozen if "==" in line) + "\n")
    return path


def _try(name, version, constraints):
    """pip's dry run of ``name==version`` from wheels only, with .venv's versions: its output."""
    return _pip("install", "--dry-run", "--quiet", "--only-binary=:all:", "--ignore-installed",
                "-c", constraints, f"{name}=={version}", check=False)


def _versions(name, failed):
    """The releases pip could install from a wheel here: from the failed dry run's own
    "(from versions: ...)", else the registry's whole list (``pip index versions``)."""
    from packaging.version import InvalidVersion, Version
    m = re.search(r"\(from versions: ([^)]*)\)", failed.stderr)
    if m is None or m.group(1) == "none":
        m = re.search(r"Available versions: (.*)", _pip("index", "versions", name).stdout)
    versions = []
    for v in (m.group(1).split(", ") if m else []):
        try:
            versions.append(Version(v.strip()))
        except InvalidVersion:
            continue
    return sorted(versions)


def map_pin(requirement, constraints, tries=6):
    """``name==old`` to the nearest release at or after ``old`` that installs here; (req, why)."""
    m = _PIN.match(requirement)
    if not m:
        return requirement, None  # a range or a bare name: pip's own choice
    name, extras, pinned = m.group(1), m.group(2) or "", m.group(3)
    failed = _try(name, pinned, constraints)
    if failed.returncode == 0:
        return requirement, None
    from packaging.version import Version
    later = [v for v in _versions(name, failed) if v > Version(pinned) and not v.is_prerelease]
    found = next((v for v in later[:tries] if _try(name, v, constraints).returncode == 0), None)
    if found is None:
        raise UserError(f"--with {requirement}: no release of {name} from {pinned} on installs "
                        f"on Python {sys.version_info[0]}.{sys.version_info[1]} beside this "
                        "TensorFlow and NumPy (tried " + ", ".join(map(str, later[:tries])) + ")")
    return (f"{name}{extras}=={found}",
            f"{pinned} does not install here without a build; {found} is the first "
            "release after it that does")


def _minor_steps(versions, after, tries):
    """The latest release of each minor series after ``after`` (0.8.10, 0.9.0, ...): the
    releases most likely to carry a fix for today's Python or NumPy, ``tries`` at most."""
    latest = {}
    for v in versions:
        if v > after and not v.is_prerelease:
            latest[v.release[:2]] = max(latest.get(v.release[:2], v), v)
    return [latest[k] for k in sorted(latest)][:tries]


def _imports_alone(requirement, constraints):
    """Install ``requirement`` alone into a scratch folder: its import's error, or None."""
    scratch = tempfile.mkdtemp(prefix="trying-", dir=root())
    try:
        proc = _pip("install", "--quiet", "--only-binary=:all:", "--target", scratch, "-c",
                    constraints, requirement, check=False)
        if proc.returncode != 0:
            return (proc.stderr.strip().splitlines() or ["pip failed"])[-1]
        return _import_errors(scratch, [(requirement, requirement, "")]).get(requirement)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def later_that_imports(asked, installed, why, error, constraints, tries=4):
    """An exact pin whose release installs but does not import: the first later release (one
    per minor series) that does; ``(installed, why)``, unchanged if none does."""
    from packaging.version import Version
    m, n = _PIN.match(asked), _PIN.match(installed)
    if not (m and n):
        return installed, why
    name, extras = m.group(1), m.group(2) or ""
    listed = _pip("index", "versions", name, check=False).stdout
    found = re.search(r"Available versions: (.*)", listed)
    versions = [Version(v) for v in found.group(1).split(", ")] if found else []
    for version in _minor_steps(versions, Version(n.group(3)), tries):
        candidate = f"{name}{extras}=={version}"
        if _imports_alone(candidate, constraints) is None:
            return candidate, ((why + "; ") if why else "") + (
                f"{n.group(3)} installs but does not import ({error}); {version} is the first "
                "later release tried that does")
    return installed, why


def _top_levels(folder, requirement):
    """The import names a requirement's distribution installed in ``folder`` (sklearn for scikit-learn)."""
    name = re.split(r"[\s\[=<>!~;]", requirement.strip(), maxsplit=1)[0]
    norm = re.sub(r"[-_.]+", "_", name).lower()
    for d in os.listdir(folder):
        project = d[:-len(".dist-info")].rsplit("-", 1)[0]  # name-version.dist-info
        if d.endswith(".dist-info") and re.sub(r"[-_.]+", "_", project).lower() == norm:
            for listing, pick in (("top_level.txt", lambda l: l), ("RECORD", lambda l: l.split("/")[0])):
                path = os.path.join(folder, d, listing)
                if os.path.isfile(path):
                    with open(path) as f:
                        names = {pick(l.strip()) for l in f if l.strip()}
                    return sorted(n for n in names if n.isidentifier())
    return []


def _import_errors(folder, mapping):
    """{installed requirement: the last line of its import's error} for those that do not import
    beside .venv (installing is not running: a wheel built for another NumPy, a removed name)."""
    errors = {}
    for _, installed, _ in mapping:
        for module in _top_levels(folder, installed):
            proc = subprocess.run([sys.executable, "-c", f"import sys; sys.path.append({folder!r}); "
                                   f"import {module}"], capture_output=True, text=True, timeout=300)
            if proc.returncode != 0:
                errors[installed] = (proc.stderr.strip().splitlines() or ["?"])[-1]
                break
    return errors


# What .venv provides for every program: TensorFlow (as tf1repro.tf1 for the program's own
# imports) and NumPy (with its 1.x names back).  An era requirements.txt pins them
# (tensorflow==1.4.0, numpy==1.13.3); those lines are .venv's, not installed again.
PROVIDED = re.compile(r"^(tensorflow|tensorflow[-_]gpu|tensorflow[-_]cpu|tf[-_]nightly|numpy)\b",
                      re.I)


def _install(work, mapping, constraints):
    """Install the mapping's releases into ``work/lib``; {requirement: import error}."""
    _pip("install", "--quiet", "--only-binary=:all:", "--target",
         os.path.join(work, "lib"), "-c", constraints, *[i for _, i, _ in mapping])
    return _import_errors(os.path.join(work, "lib"), mapping)


def prepare(asked, requirements_file, log):
    """Install (or reuse) the environment for ``asked`` and the file's lines; None if none."""
    asked = list(asked) + (read_requirements(requirements_file) if requirements_file else [])
    provided = [a for a in asked if PROVIDED.match(a.strip())]
    if provided:
        log(f"# libraries: {', '.join(provided)}: .venv's TensorFlow and NumPy serve the program")
    asked = [a for a in asked if a not in provided]
    if not asked:
        return None
    key = "\n".join(sorted(asked)) + f"\n{sys.version_info[:2]}"
    folder = os.path.join(root(), hashlib.sha256(key.encode()).hexdigest()[:16])
    env = Environment(folder, asked)
    done = os.path.join(folder, ".tf1repro-installed")
    if os.path.isfile(done):
        with open(done) as f:
            env.mapping = [tuple(line.split("\t")) for line in f.read().splitlines() if line]
    else:
        os.makedirs(root(), exist_ok=True)
        work = tempfile.mkdtemp(prefix="installing-", dir=root())
        try:
            constraints = _constraints(work)
            for requirement in asked:
                installed, why = map_pin(requirement, constraints)
                env.mapping.append((requirement, installed, why or ""))
            log(f"# libraries: installing {', '.join(i for _, i, _ in env.mapping)} into {folder}")
            errors = _install(work, env.mapping, constraints)
            remapped = [(a, *later_that_imports(a, i, w, errors[i], constraints))
                        if i in errors else (a, i, w) for a, i, w in env.mapping]
            if remapped != env.mapping:  # an exact pin that did not import: a later release does
                env.mapping = remapped
                log(f"# libraries: installing {', '.join(i for _, i, _ in remapped)} instead")
                shutil.rmtree(os.path.join(work, "lib"))
                errors = _install(work, env.mapping, constraints)
            with open(os.path.join(work, "lib", ".tf1repro-imports.json"), "w") as f:
                json.dump(errors, f)
            with open(os.path.join(work, "lib", ".tf1repro-installed"), "w") as f:
                f.write("".join("\t".join(m) + "\n" for m in env.mapping))
            shutil.rmtree(folder, ignore_errors=True)
            os.replace(os.path.join(work, "lib"), folder)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    for a, i, why in env.mapping:
        log(f"# libraries: {a}" + (f" -> {i} ({why})" if why else ""))
    env.installed = sorted(d[:-len(".dist-info")] for d in os.listdir(folder) if d.endswith(".dist-info"))
    log(f"# libraries: {', '.join(env.installed)} in {folder} (after .venv's on sys.path)")
    with open(os.path.join(folder, ".tf1repro-imports.json")) as f:
        env.import_errors = json.load(f)
    for installed, error in env.import_errors.items():
        log(f"# libraries: {installed} installs but does not import here ({error}); "
            "a later release may: --with NAME==VERSION")
    if folder not in sys.path:
        sys.path.append(folder)  # after .venv's site-packages: TensorFlow and NumPy stay .venv's
    return env
