#!/usr/bin/env python3
"""A fake subtensor node for `yuma fetch` tests: JSON-RPC over http or ws on 127.0.0.1.

Written independently of the Rust code under test, from CHAIN_EXPORT.md's tables: its own
xxhash64/twox128, blake2_128 (hashlib), storage keys and SCALE encoders. It serves golden cases
(snapshot.json + epoch.json) as chain state: for the epoch of each case at block B it defines
the state after B-1 (the snapshot's inputs), after B (the recorded outputs) and after B+1
(block B+1's pending emission). Options simulate commit-reveal reveals inside B, a uid
re-registered in B, a uid whose hotkey resets its bonds in B (a commitment with
ResetBondsFlag: Commitments::LastBondsReset = B and, with BondsResetOn, its column stripped
from every Bonds row at B), pruning, an older/newer runtime and a node that dies mid-walk.

Usage: fake_node.py [--transport http|ws] [--spec N] [--reveal] [--reregister UID]
       [--bonds-reset UID [--bonds-reset-off]] [--prune-below BLOCK] [--die-after N]
       [--log FILE] CASE_DIR[:NETUID] ...
Prints "listening on URL" on its first line of stdout.
"""
import argparse
import asyncio
import hashlib
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# ---------------------------------------------------------------- hashing (xxhash64, blake2)
M64 = (1 << 64) - 1
P1, P2, P3, P4, P5 = (11400714785074694791, 14029467366897019727, 1609587929392839161,
                      9650029242287828579, 2870177450012600261)


def _rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & M64


def _round(acc, lane):
    return (_rotl((acc + lane * P2) & M64, 31) * P1) & M64


def xxh64(data, seed):
    n, i = len(data), 0
    if n >= 32:
        v = [(seed + P1 + P2) & M64, (seed + P2) & M64, seed, (seed - P1) & M64]
        while i + 32 <= n:
            for j in range(4):
                v[j] = _round(v[j], int.from_bytes(data[i + 8 * j:i + 8 * j + 8], "little"))
            i += 32
        h = (_rotl(v[0], 1) + _rotl(v[1], 7) + _rotl(v[2], 12) + _rotl(v[3], 18)) & M64
        for x in v:
            h = ((h ^ _round(0, x)) * P1 + P4) & M64
    else:
        h = (seed + P5) & M64
    h = (h + n) & M64
    while i + 8 <= n:
        h ^= _round(0, int.from_bytes(data[i:i + 8], "little"))
        h = (_rotl(h, 27) * P1 + P4) & M64
        i += 8
    if i + 4 <= n:
        h ^= (int.from_bytes(data[i:i + 4], "little") * P1) & M64
        h = (_rotl(h, 23) * P2 + P3) & M64
        i += 4
    while i < n:
        h ^= (data[i] * P5) & M64
        h = (_rotl(h, 11) * P1) & M64
        i += 1
    h ^= h >> 33
    h = (h * P2) & M64
    h ^= h >> 29
    h = (h * P3) & M64
    return h ^ (h >> 32)


def twox128(b):
    return xxh64(b, 0).to_bytes(8, "little") + xxh64(b, 1).to_bytes(8, "little")


def twox64_concat(b):
    return xxh64(b, 0).to_bytes(8, "little") + b


def blake2_128_concat(b):
    return hashlib.blake2b(b, digest_size=16).digest() + b


# ---------------------------------------------------------------- SCALE encoding
def compact(v):
    if v < 1 << 6:
        return bytes([v << 2])
    if v < 1 << 14:
        return ((v << 2) | 1).to_bytes(2, "little")
    if v < 1 << 30:
        return ((v << 2) | 2).to_bytes(4, "little")
    size = max(4, (v.bit_length() + 7) // 8)
    return bytes([((size - 4) << 2) | 3]) + v.to_bytes(size, "little")


def u8(v): return v.to_bytes(1, "little")
def u16(v): return v.to_bytes(2, "little")
def u32(v): return v.to_bytes(4, "little")
def u64(v): return v.to_bytes(8, "little")
def i16(v): return v.to_bytes(2, "little", signed=True)
def boolean(v): return b"\x01" if v else b"\x00"
def vec(items, enc): return compact(len(items)) + b"".join(enc(x) for x in items)
def pairs(row): return vec(row, lambda p: u16(p[0]) + u16(p[1]))


# ---------------------------------------------------------------- storage keys
def item(name):
    return twox128(b"SubtensorModule") + twox128(name.encode())


def commitments_item(name):
    return twox128(b"Commitments") + twox128(name.encode())


def k_last_bonds_reset(netuid, account):
    # StorageDoubleMap<Identity NetUid, Twox64Concat AccountId, BlockNumber (u32)>
    return commitments_item("LastBondsReset") + u16(netuid) + twox64_concat(account)


def k_id16(name, a):
    return item(name) + u16(a)


def k_id16_id16(name, a, b):
    return item(name) + u16(a) + u16(b)


def k_twox16(name, a):
    return item(name) + twox64_concat(u16(a))


def k_blake16(name, a):
    return item(name) + blake2_128_concat(u16(a))


def hotkey(netuid, uid, tag="hotkey"):
    return hashlib.blake2b(f"{tag}-{netuid}-{uid}".encode(), digest_size=32).digest()


def block_hash(number):
    return hashlib.sha256(b"fake-block-%d" % number).digest()


# ---------------------------------------------------------------- cases → chain state
def cutoff_factor(cutoff, tempo):
    """A factor f with max(1, f*tempo//1000) == cutoff (spec >= 423)."""
    for f in range(max(0, cutoff * 1000 // max(tempo, 1) - 2), cutoff * 1000 // max(tempo, 1) + 1002):
        if max(1, f * tempo // 1000) == cutoff and f < 1 << 32:
            return f
    raise SystemExit(f"activity_cutoff {cutoff} is not reachable with tempo {tempo} at spec >= 423")


def legacy_epoch(b, netuid, tempo):
    return (b + netuid + 1) // (tempo + 1)


def case_states(snap, epoch, netuid, opts, stakes):
    """{block: {key: value}} for blocks B-1, B, B+1 of one case; stakes[(block, netuid)]."""
    B, n = snap["block"], snap["n"]
    h = snap["hyperparams"]
    spec = opts.spec
    legacy = spec <= 422
    multi = "mechanisms" in snap
    mechs = snap["mechanisms"] if multi else [
        {k: snap[k] for k in ("last_update", "commit_block", "weights", "bonds")}]
    outs = epoch["mechanisms"] if multi else [epoch]
    rp = 2 if h["commit_reveal_enabled"] else 1
    epoch_index = 1000 + B // 1000
    e_b = epoch_index + 1
    reveal_key = (legacy_epoch(B, netuid, h["tempo"]) if legacy else e_b) - rp
    hk = [hotkey(netuid, u) for u in range(n)]
    S = {}
    S[k_id16("NetworksAdded", netuid)] = boolean(True)
    S[k_id16("SubnetworkN", netuid)] = u16(n)
    if multi:
        S[k_twox16("MechanismCountCurrent", netuid)] = u8(len(mechs))
        if snap.get("mechanism_emission_split") is not None:
            S[k_twox16("MechanismEmissionSplit", netuid)] = vec(snap["mechanism_emission_split"], u16)
    S[k_id16("Kappa", netuid)] = u16(h["kappa"])
    S[k_id16("BondsMovingAverage", netuid)] = u64(h["bonds_moving_average"])
    S[k_id16("BondsPenalty", netuid)] = u16(h["bonds_penalty"])
    S[k_blake16("LiquidAlphaOn", netuid)] = boolean(h["liquid_alpha_enabled"])
    S[k_id16("AlphaValues", netuid)] = u16(h["alpha_low"]) + u16(h["alpha_high"])
    S[k_id16("AlphaSigmoidSteepness", netuid)] = i16(h["alpha_sigmoid_steepness"])
    if h["yuma3_enabled"]:  # absent = default false
        S[k_blake16("Yuma3On", netuid)] = boolean(True)
    if legacy:
        S[k_id16("ActivityCutoff", netuid)] = u16(h["activity_cutoff"])
    else:
        S[k_id16("ActivityCutoffFactorMilli", netuid)] = u32(cutoff_factor(h["activity_cutoff"], h["tempo"]))
    S[k_id16("Tempo", netuid)] = u16(h["tempo"])
    S[k_id16("MaxAllowedValidators", netuid)] = u16(h["max_allowed_validators"])
    if not h["commit_reveal_enabled"]:  # absent = default true
        S[k_id16("CommitRevealWeightsEnabled", netuid)] = boolean(False)
    S[item("TaoWeight")] = u64(h["tao_weight"])
    S[item("StakeThreshold")] = u64(h["stake_threshold"])
    owner = snap["owner_uid"]
    if owner is not None:
        S[k_id16("SubnetOwnerHotkey", netuid)] = hk[owner] if owner < n else hotkey(netuid, owner, "nobody")
    S[k_id16("LastMechansimStepBlock", netuid)] = u64(snap["last_mechanism_step_block"])
    S[k_id16("SubnetEpochIndex", netuid)] = u64(epoch_index)
    S[k_twox16("RevealPeriodEpochs", netuid)] = u64(rp)
    S[k_id16("ValidatorPermit", netuid)] = vec(snap["validator_permit"], boolean)
    for u in range(n):
        S[k_id16_id16("Keys", netuid, u)] = hk[u]
        S[item("Uids") + u16(netuid) + blake2_128_concat(hk[u])] = u16(u)
        S[k_id16_id16("BlockAtRegistration", netuid, u)] = u64(snap["block_at_registration"][u])
    reset = opts.bonds_reset if opts.bonds_reset is not None and opts.bonds_reset < n else None
    if reset is not None:
        if not opts.bonds_reset_off:  # absent = default false
            S[k_id16("BondsResetOn", netuid)] = boolean(True)
        S[k_last_bonds_reset(netuid, hk[reset])] = u32(B - 7)  # an older reset of the same hotkey
        decoy = (reset + 1) % n  # reset long ago: not in B
        S[k_last_bonds_reset(netuid, hk[decoy])] = u32(B - 3)
    E = snap["rao_emission"]
    inc = E // 10
    left = E - inc
    for name, share in (("PendingServerEmission", left // 2), ("PendingRootAlphaDivs", left // 10),
                        ("PendingValidatorEmission", left - left // 2 - left // 10)):
        S[k_id16(name, netuid)] = u64(share)
    SB = dict(S)
    for name in ("PendingServerEmission", "PendingRootAlphaDivs", "PendingValidatorEmission"):
        SB[k_id16(name, netuid)] = u64(0)
    SB[k_id16("LastMechansimStepBlock", netuid)] = u64(B)
    SB[k_id16("SubnetEpochIndex", netuid)] = u64(e_b)
    cut = {"Active": ("active", boolean), "StakeWeight": ("stake", u16),
           "ValidatorPermit": ("new_validator_permit", boolean), "Consensus": ("consensus", u16),
           "ValidatorTrust": ("validator_trust", u16), "Dividends": ("dividend", u16),
           "Emission": ("emission", u64)}
    rec = {name: list(epoch[field]) for name, (field, _) in cut.items()}
    rereg = opts.reregister
    if rereg is not None and rereg < n:
        SB[k_id16_id16("BlockAtRegistration", netuid, rereg)] = u64(B)
        for name in rec:
            rec[name][rereg] = True if name == "Active" else (False if name == "ValidatorPermit" else 0)
    for name, (field, enc) in cut.items():
        SB[k_id16(name, netuid)] = vec(rec[name], enc)
    for m, (mi, mo) in enumerate(zip(mechs, outs)):
        idx = netuid + 4096 * m
        for u in range(n):
            row = mi["weights"][u]
            if row or u % 2 == 0:  # empty rows: some stored as [], some absent
                S[k_id16_id16("Weights", idx, u)] = pairs(row)
            if mi["bonds"][u] or u % 3 == 0:
                S[k_id16_id16("Bonds", idx, u)] = pairs(mi["bonds"][u])
        S[k_id16("LastUpdate", idx)] = vec(mi["last_update"], u64)
        SB.update({k: v for k, v in S.items() if k.startswith(item("Weights") + u16(idx))})
        SB[k_id16("LastUpdate", idx)] = S[k_id16("LastUpdate", idx)]
        incentive = list(mo["incentive"])
        if rereg is not None and rereg < n:
            incentive[rereg] = 0
        SB[k_id16("Incentive", idx)] = vec(incentive, u16)
        for u in range(n):
            key = k_id16_id16("Bonds", idx, u)
            SB.pop(key, None)
            if u != rereg:
                row = mo["bonds"][u]
                if reset is not None and not opts.bonds_reset_off:
                    row = [p for p in row if p[0] != reset]  # do_reset_bonds strips the column
                SB[key] = pairs(row)
        # commit blocks: even uids through WeightCommits v2 at S, odd ones (commit < B) through
        # TimelockedWeightCommits at S_B under the newest key; plus entries that must not count.
        tl_prefix = item("TimelockedWeightCommits") + twox64_concat(u16(idx))
        v4 = {}
        for u in range(n):
            cb = mi["commit_block"][u]
            if cb is None:
                continue
            if u % 2 == 1 and cb < B:
                v4.setdefault(e_b, []).append((hk[u], cb))
            else:
                first = (cb, 0) if legacy else (e_b, cb)
                queue = [(b"\x11" * 32, first[0], first[1], 0)]
                if u % 4 == 0 and not legacy:  # an expired entry ahead of it
                    queue.insert(0, (b"\x22" * 32, e_b - rp - 1, 1, 0))
                S[item("WeightCommits") + twox64_concat(u16(idx)) + twox64_concat(hk[u])] = vec(
                    queue, lambda c: c[0] + u64(c[1]) + u64(c[2]) + u64(c[3]))
        idle = [u for u in range(n) if mi["commit_block"][u] is None]
        if idle:  # a commit appended by B's own extrinsics (commit_block == B): ignored
            v4.setdefault(e_b, []).append((hk[idle[0]], B))
        for e, entries in v4.items():
            SB[tl_prefix + twox64_concat(u64(e))] = vec(
                entries, lambda c: c[0] + u64(c[1]) + vec(list(b"cipher"), u8) + u64(7))
        if opts.reveal:
            revealed = [u for u in range(n) if mi["weights"][u]][:3]
            entries = [(hk[u], B - 5) for u in revealed]
            S[tl_prefix + twox64_concat(u64(reveal_key))] = vec(
                entries, lambda c: c[0] + u64(c[1]) + vec(list(b"secret"), u8) + u64(9))
            for u in revealed:
                S[k_id16_id16("Weights", idx, u)] = pairs([[u, 65535]])  # the stale row at S
    if reset is not None:
        SB[k_last_bonds_reset(netuid, hk[reset])] = u32(B)
    SB1 = dict(SB)
    for name, share in (("PendingServerEmission", inc // 2), ("PendingRootAlphaDivs", 0),
                        ("PendingValidatorEmission", inc - inc // 2)):
        SB1[k_id16(name, netuid)] = u64(share)
    for b in (B - 1, B, B + 1):
        stakes[(b, netuid)] = (snap["alpha_stake"], snap["tao_stake"])
    return {B - 1: S, B: SB, B + 1: SB1}


class Chain:
    def __init__(self, opts):
        self.opts = opts
        self.stakes = {}
        per_case = []
        for spec in opts.cases:
            path, _, netuid = spec.partition(":")
            snap = json.load(open(os.path.join(path, "snapshot.json")))
            epoch = json.load(open(os.path.join(path, "epoch.json")))
            netuid = int(netuid) if netuid else snap["netuid"]
            per_case.append((netuid, case_states(snap, epoch, netuid, opts, self.stakes)))
        blocks = sorted({b for _, c in per_case for b in c})
        self.head = blocks[-1]
        self.states = []
        for b in blocks:
            # per netuid, the newest state at or before b (a sequence's epochs replace each other)
            newest = {}
            for netuid, c in per_case:
                older = [x for x in c if x <= b]
                if older and max(older) >= newest.get(netuid, (-1, None))[0]:
                    newest[netuid] = (max(older), c[max(older)])
            merged = {}
            for _, s in sorted(newest.values(), key=lambda x: x[0]):
                merged.update(s)
            self.states.append((b, merged))
        self.by_hash = {}

    def number(self, h):
        n = self.by_hash.get(h)
        if n is None:
            raise RpcError(4003, f"Client error: UnknownBlock: header not found for {h}")
        if n < self.opts.prune_below:
            raise RpcError(4003, f"Client error: State already discarded for {h}")
        return n

    def state(self, n):
        best = {}
        for b, s in self.states:
            if b <= n:
                best = s
        return best

    def hash_of(self, n):
        h = "0x" + block_hash(n).hex()
        self.by_hash[h] = n
        return h

    def call(self, method, p):
        if method == "chain_getBlockHash":
            n = p[0] if p else self.head
            return self.hash_of(n) if n <= self.head else None
        if method == "chain_getHeader":
            n = self.number(p[0]) if p and p[0] else self.head
            return {"parentHash": self.hash_of(max(n - 1, 0)), "number": hex(n),
                    "stateRoot": "0x" + "00" * 32, "extrinsicsRoot": "0x" + "00" * 32,
                    "digest": {"logs": []}}
        if method == "state_getRuntimeVersion":
            self.number(p[0])
            return {"specName": "node-subtensor", "implName": "node-subtensor", "authoringVersion": 1,
                    "specVersion": self.opts.spec, "implVersion": 1, "apis": [],
                    "transactionVersion": 1, "stateVersion": 1}
        if method == "state_getStorage":
            v = self.state(self.number(p[1])).get(bytes.fromhex(p[0][2:]))
            return None if v is None else "0x" + v.hex()
        if method == "state_queryStorageAt":
            s = self.state(self.number(p[1]))
            changes = []
            for k in p[0]:
                v = s.get(bytes.fromhex(k[2:]))
                changes.append([k, None if v is None else "0x" + v.hex()])
            return [{"block": p[1], "changes": changes}]
        if method == "state_getKeysPaged":
            prefix, count, start = bytes.fromhex(p[0][2:]), p[1], p[2]
            if count > 1000:
                raise RpcError(4002, "count exceeds maximum value")
            start = bytes.fromhex(start[2:]) if start else b""
            s = self.state(self.number(p[3]))
            keys = sorted(k for k in s if k.startswith(prefix) and k > start)
            return ["0x" + k.hex() for k in keys[:count]]
        if method == "state_call":
            return self.runtime_call(p[0], bytes.fromhex(p[1][2:]), self.number(p[2]))
        raise RpcError(-32601, f"Method not found: {method}")

    def runtime_call(self, name, data, n):
        if name != "SubnetInfoRuntimeApi_get_selective_metagraph":
            raise RpcError(-32000, f"unknown runtime api {name}")
        netuid = int.from_bytes(data[:2], "little")
        count = data[2] >> 2  # compact length (< 64 indexes)
        indexes = [int.from_bytes(data[3 + 2 * i:5 + 2 * i], "little") for i in range(count)]
        key = (max((b for b, u in self.stakes if u == netuid and b <= n), default=None), netuid)
        if key[0] is None:
            return "0x00"
        alpha, tao = self.stakes[key]
        out = b"\x01" + compact(netuid if 0 in indexes else 0)
        for field in range(1, 74):
            if field == 67 and 67 in indexes:
                out += b"\x01" + vec(alpha, compact)
            elif field == 68 and 68 in indexes:
                out += b"\x01" + vec(tao, compact)
            else:
                out += b"\x00"
        return "0x" + out.hex()


class RpcError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


class Server:
    def __init__(self, chain, opts):
        self.chain, self.opts = chain, opts
        self.count = 0
        self.lock = threading.Lock()
        self.log = open(opts.log, "a") if opts.log else None

    def handle(self, req):
        with self.lock:
            self.count += 1
            if self.opts.die_after and self.count > self.opts.die_after:
                os._exit(0)  # the node goes away mid-walk
            if self.log:
                self.log.write(req.get("method", "?") + "\n")
                self.log.flush()
            try:
                result = self.chain.call(req["method"], req.get("params") or [])
                return {"jsonrpc": "2.0", "id": req.get("id"), "result": result}
            except RpcError as e:
                return {"jsonrpc": "2.0", "id": req.get("id"),
                        "error": {"code": e.code, "message": e.message}}

    def answer(self, body):
        req = json.loads(body)
        if isinstance(req, list):
            return json.dumps([self.handle(r) for r in req])
        return json.dumps(self.handle(req))


def serve_http(server):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            out = server.answer(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"listening on http://127.0.0.1:{httpd.server_address[1]}", flush=True)
    httpd.serve_forever()


def serve_ws(server):
    import logging
    import websockets

    logging.getLogger("websockets").setLevel(logging.CRITICAL)  # clients that hang up are fine

    async def handler(ws, path=None):
        async for message in ws:
            await ws.send(server.answer(message))

    async def main():
        async with websockets.serve(handler, "127.0.0.1", 0, max_size=None) as ws_server:
            port = list(ws_server.sockets)[0].getsockname()[1]
            print(f"listening on ws://127.0.0.1:{port}", flush=True)
            await asyncio.Future()

    asyncio.run(main())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cases", nargs="+")
    ap.add_argument("--transport", choices=["http", "ws"], default="http")
    ap.add_argument("--spec", type=int, default=425)
    ap.add_argument("--reveal", action="store_true")
    ap.add_argument("--reregister", type=int)
    ap.add_argument("--bonds-reset", type=int)
    ap.add_argument("--bonds-reset-off", action="store_true")
    ap.add_argument("--prune-below", type=int, default=0)
    ap.add_argument("--die-after", type=int, default=0)
    ap.add_argument("--log")
    opts = ap.parse_args()
    server = Server(Chain(opts), opts)
    (serve_ws if opts.transport == "ws" else serve_http)(server)


if __name__ == "__main__":
    sys.exit(main())
