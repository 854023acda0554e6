"""``yuma.from_metagraph``: an APPROXIMATE snapshot from a bittensor SDK metagraph.

The SDK's metagraph views are lossy (``../shared/CHAIN_EXPORT.md`` §5): stakes are float32 TAO
with ``tao_stake`` scaled by a hard-coded 0.18 instead of the chain's ``TaoWeight``; weights are
rows normalized to sum 1 in float32, dense, with the storage order, duplicates and zero entries
lost; bonds and hyperparameters are floats; the commit-reveal state, ``bonds_penalty``,
``stake_threshold`` and the emission of the epoch block are absent; and every mechanism's view is
mechanism 0's. An epoch computed from this snapshot can therefore differ from the chain's. For
exact work, take the state from a node with ``yuma fetch`` (it reads storage and the runtime API
directly) and validate with ``yuma validate``.
"""

from __future__ import annotations

import warnings
from typing import Any, Dict, Optional

import numpy as np

# The chain's defaults for what a metagraph does not carry (subtensor runtime constants).
_DEFAULT_HYPERPARAMS: Dict[str, Any] = {
    "kappa": 32767,
    "bonds_moving_average": 900_000,
    "bonds_penalty": 65535,
    "liquid_alpha_enabled": False,
    "alpha_low": 45875,
    "alpha_high": 58982,
    "alpha_sigmoid_steepness": 1000,
    "yuma3_enabled": False,
    "activity_cutoff": 5000,
    "tempo": 360,
    "max_allowed_validators": 64,
    "stake_threshold": 0,
    "commit_reveal_enabled": False,
    "tao_weight": 971_718_665_099_567_868,
}
_SDK_TAO_WEIGHT = 0.18  # bittensor.core.settings.ROOT_TAO_STAKE_WEIGHT
_RAO_PER_TAO = 1_000_000_000


class ApproximationWarning(UserWarning):
    """The result is built from lossy float views and may differ from the chain's."""


def _array(x: Any) -> np.ndarray:
    if hasattr(x, "detach"):  # torch tensors
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def _rao(tao: Any) -> np.ndarray:
    return np.rint(_array(tao).astype(np.float64) * _RAO_PER_TAO).clip(0).astype(np.uint64)


def _u16_rows(dense: Any, n: int, upscale: bool):
    """A dense float matrix as CSR rows of u16: each row max-upscaled to 65535 (weights, as the
    chain stores them) or scaled by 65535 (bonds); zero entries are not stored."""
    m = _array(dense).astype(np.float64).reshape(n, n) if np.size(dense) else np.zeros((n, n))
    indptr, indices, data = [0], [], []
    for row in m:
        top = row.max() if upscale else 1.0
        vals = np.rint(row / top * 65535) if top > 0 else np.zeros_like(row)
        nz = np.nonzero(vals > 0)[0]
        indices.extend(nz.tolist())
        data.extend(vals[nz].astype(np.int64).tolist())
        indptr.append(len(indices))
    return (np.array(indptr, np.int64), np.array(indices, np.uint16), np.array(data, np.uint16))


def _hyperparams_from(metagraph: Any) -> Dict[str, Any]:
    """What the metagraph's own hyperparameter view gives, converted to the chain's integers."""
    hp = dict(_DEFAULT_HYPERPARAMS)
    h = getattr(metagraph, "hparams", None)
    if h is None:
        return hp
    u16 = lambda x: int(round(float(x) * 65535))  # noqa: E731
    conv = {
        "kappa": u16,
        "alpha_low": u16,
        "alpha_high": u16,
        "bonds_moving_avg": lambda x: ("bonds_moving_average", int(round(float(x) * 1_000_000))),
        "activity_cutoff": int,
        "tempo": int,
        "max_validators": lambda x: ("max_allowed_validators", int(x)),
        "liquid_alpha_enabled": bool,
        "yuma_version": lambda x: ("yuma3_enabled", int(x) >= 3),
        "commit_reveal_weights_enabled": lambda x: ("commit_reveal_enabled", bool(x)),
    }
    for name, f in conv.items():
        if hasattr(h, name) and getattr(h, name) is not None:
            v = f(getattr(h, name))
            key, val = v if isinstance(v, tuple) else (name, v)
            hp[key] = val
    return hp


def from_metagraph(
    metagraph: Any,
    *,
    hyperparams: Optional[Dict[str, Any]] = None,
    rao_emission: int = 0,
    last_mechanism_step_block: int = 0,
    owner_uid: Optional[int] = None,
):
    """Builds an APPROXIMATE :class:`yuma.Snapshot` from a bittensor SDK metagraph.

    Reads ``netuid``, ``block``, ``n``, ``alpha_stake`` / ``tao_stake`` (float TAO; the SDK's 0.18
    scaling of ``tao_stake`` is undone; without them ``S`` is taken as alpha stake),
    ``validator_permit``, ``last_update``, ``block_at_registration`` (0 when absent), ``W``
    (weights, max-upscaled back to u16 per row) and ``B`` (bonds × 65535), and the
    hyperparameters the metagraph's ``hparams`` carries; everything else from ``hyperparams``
    (overrides) or the chain's defaults. Always warns :class:`ApproximationWarning`: the SDK's
    views are lossy (see the module docstring); use ``yuma fetch`` for exact work.
    """
    from . import Snapshot

    warnings.warn(
        "yuma.from_metagraph builds an APPROXIMATE snapshot from the SDK's lossy float views "
        "(normalized float weights, float stakes scaled by 0.18, no commit-reveal state, "
        "mechanism 0 only); the epoch may differ from the chain's. Use `yuma fetch` for exact work.",
        ApproximationWarning,
        stacklevel=2,
    )
    n = int(_array(metagraph.n).item()) if np.ndim(_array(metagraph.n)) == 0 else len(_array(metagraph.n))
    zeros = np.zeros(n, dtype=np.uint64)
    alpha = getattr(metagraph, "alpha_stake", None)
    tao = getattr(metagraph, "tao_stake", None)
    alpha_rao = _rao(alpha if alpha is not None else metagraph.S)
    tao_rao = _rao(_array(tao).astype(np.float64) / _SDK_TAO_WEIGHT) if tao is not None else zeros
    hp = _hyperparams_from(metagraph)
    hp.update(hyperparams or {})
    reg = getattr(metagraph, "block_at_registration", None)
    return Snapshot.from_arrays(
        netuid=int(metagraph.netuid),
        block=int(_array(metagraph.block).item()),
        hyperparams=hp,
        alpha_stake=alpha_rao,
        tao_stake=tao_rao,
        validator_permit=_array(metagraph.validator_permit).astype(bool),
        block_at_registration=_array(reg).astype(np.uint64) if reg is not None else zeros,
        last_update=_array(metagraph.last_update).astype(np.uint64),
        weights=_u16_rows(metagraph.W, n, upscale=True),
        bonds=_u16_rows(metagraph.B, n, upscale=False),
        owner_uid=owner_uid,
        last_mechanism_step_block=last_mechanism_step_block,
        rao_emission=rao_emission,
    )
