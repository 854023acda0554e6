"""Type stubs of the compiled module ``yuma._yuma`` (re-exported by ``yuma``)."""

import os
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

PathLike = Union[str, os.PathLike]
CSR = Tuple[npt.NDArray[np.int64], npt.NDArray[np.uint16], npt.NDArray[Any]]

class SnapshotError(ValueError):
    """A snapshot (or recorded document) breaking a rule of its format; the message is the CLI's
    one-line error."""

    file: str
    field: str
    uid: Optional[int]

class YumaError(Exception):
    """A command that could not run (no such file, no GPU for backend="gpu", …)."""

class Snapshot:
    """One subnet at the block where its epoch runs (yuma-snapshot/1), validated."""

    netuid: int
    block: int
    n: int
    mechanism_count: int
    @staticmethod
    def from_dict(d: Dict[str, Any]) -> "Snapshot":
        """From a dict shaped like the JSON document (ints, never floats)."""
    @staticmethod
    def from_json(text: str) -> "Snapshot": ...
    @staticmethod
    def from_arrays(
        *,
        netuid: int,
        block: int,
        hyperparams: Dict[str, Any],
        alpha_stake: npt.ArrayLike,
        tao_stake: npt.ArrayLike,
        validator_permit: npt.ArrayLike,
        block_at_registration: npt.ArrayLike,
        last_update: Optional[npt.ArrayLike] = None,
        weights: Optional[Any] = None,
        bonds: Optional[Any] = None,
        commit_block: Optional[Sequence[Optional[int]]] = None,
        owner_uid: Optional[int] = None,
        last_mechanism_step_block: int = 0,
        rao_emission: int = 0,
        mechanisms: Optional[List[Dict[str, Any]]] = None,
        mechanism_emission_split: Optional[npt.ArrayLike] = None,
    ) -> "Snapshot":
        """From numpy arrays, exactly. Integer arrays of any integer dtype (uint64 for stakes
        and blocks; negative values, floats and bools are refused naming the field); weights
        and bonds as CSR ``(indptr, indices, data)`` tuples (or objects with those attributes)
        taken AS THEY ARE: rows in the given order, duplicates kept, as the chain stores them.
        Note: scipy.sparse conversions may sum duplicate entries or sort indices
        (``sum_duplicates``, ``tocsr``), which changes the epoch — pass the raw arrays.
        ``commit_block``: None (no pending commits) or one int-or-None per uid. With
        ``mechanisms`` (a list of dicts with ``last_update``, ``weights``, ``bonds`` and
        optional ``commit_block``), the top-level per-mechanism arguments are not used."""
    def to_json(self) -> str: ...
    def to_dict(self) -> Dict[str, Any]: ...

class Epoch:
    """One computed epoch (yuma-epoch/1). Per-uid arrays have the exact dtypes."""

    netuid: int
    block: int
    n: int
    active: npt.NDArray[np.bool_]
    stake: npt.NDArray[np.uint16]
    stake_weight: npt.NDArray[np.uint64]
    new_validator_permit: npt.NDArray[np.bool_]
    consensus: npt.NDArray[np.uint16]
    validator_trust: npt.NDArray[np.uint16]
    incentive: npt.NDArray[np.uint16]
    dividend: npt.NDArray[np.uint16]
    server_emission: npt.NDArray[np.uint64]
    validator_emission: npt.NDArray[np.uint64]
    emission: npt.NDArray[np.uint64]
    bonds: Union[CSR, List[CSR]]
    raw: Optional[Dict[str, Any]]
    mechanisms: List["Epoch"]
    mechanism_emission: Optional[npt.NDArray[np.uint64]]
    mechanism_weight: Optional[List[int]]
    trace: Optional[Dict[str, Any]]
    def to_json(self) -> str: ...
    def to_dict(self) -> Dict[str, Any]:
        """``to_dict() == json.load(open("epoch.json"))`` for the same epoch."""
    def to_pandas(self) -> Any: ...

def load_snapshot(path: PathLike) -> Snapshot: ...
def epoch(snapshot: Snapshot, backend: str = "auto", trace: bool = False) -> Epoch:
    """The epoch of ``snapshot`` ("auto": a hardware GPU, else the CPU reference; "cpu"; "gpu").
    The GIL is released while computing."""
def gen(
    n: int,
    validators: int,
    seed: int = 0,
    yuma3: bool = False,
    liquid_alpha: bool = False,
    density: Optional[float] = None,
    mechanisms: Optional[int] = None,
    split: Optional[List[int]] = None,
    netuid: int = 1,
) -> Snapshot: ...
def check(*paths: PathLike, backend: str = "auto") -> Dict[str, Any]: ...
def validate(*inputs: Union[PathLike, Snapshot], backend: str = "auto") -> Dict[str, Any]:
    """``validate(snapshot, recorded)`` or ``validate(dir, ...)``: the yuma-validation/1 report."""
def explain(snapshot: Snapshot, uid: int, mechanism: int = 0) -> Dict[str, Any]: ...
def replay(
    input: Union[PathLike, Snapshot],
    epochs: Optional[int] = None,
    out_dir: Optional[PathLike] = None,
    backend: str = "auto",
) -> List[Epoch]: ...
def batch(
    inputs: Sequence[PathLike],
    out_dir: PathLike,
    backend: str = "auto",
    resume: bool = True,
    shard: Optional[str] = None,
    chunk: int = 32,
) -> Dict[str, Any]: ...
def plan_batch(
    inputs: Sequence[PathLike], out_dir: PathLike, shard: Optional[str] = None, resume: bool = True
) -> Tuple[List[Tuple[os.PathLike, os.PathLike]], int]: ...
def run_batch_jobs(
    jobs: Sequence[Tuple[PathLike, PathLike]], backend: str = "auto", chunk: int = 32
) -> List[Optional[str]]: ...
def validation_pairs(dirs: Sequence[PathLike]) -> List[Tuple[os.PathLike, os.PathLike]]: ...
def time_epoch(snapshot: Snapshot, backend: str = "cpu", repeats: int = 10) -> List[float]: ...
def scenarios() -> List[Tuple[str, str]]:
    """The built-in scenarios: (name, description)."""
def scenario(
    name_or_file: str,
    out_dir: Optional[PathLike] = None,
    yuma: Optional[str] = None,
    seed: Optional[int] = None,
    epochs: Optional[int] = None,
    backend: str = "auto",
) -> Dict[str, Any]:
    """``yuma scenario``: {"summary", "metrics", "roles", "epochs": [Epoch]}."""
def sweep(
    input: str, sets: Sequence[str], epochs: Optional[int] = None, yuma: Optional[str] = None, backend: str = "auto"
) -> Dict[str, Any]:
    """``yuma sweep``: the yuma-sweep/1 document."""
def metrics(*inputs: Union[PathLike, Epoch]) -> Dict[str, Any]: ...
def emission(issuance: int, years: int = 10, at_block: Optional[int] = None, date: Optional[str] = None) -> Dict[str, Any]:
    """The block emission for a total issuance (rao) and its halvings, exact ints."""
