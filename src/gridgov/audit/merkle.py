"""The Merkle tree of the city's log, as Certificate Transparency defines it (RFC 6962 §2.1, RFC 9162 §2.1):
pure functions over SHA-256.

- A leaf's hash is SHA-256(0x00 || data), an interior node's SHA-256(0x01 || left || right), so a leaf can never
  pass for a node (second-preimage resistance of the tree).
- The tree over n leaves splits at the largest power of two below n (left-full), so the tree over the first m
  leaves is a part of every later tree and a consistency proof can show it.
- `Frontier` is the log's right edge (one hash per set bit of the size, RFC 9162's "compact range"): appending
  a leaf and computing the root cost O(log n), which is what the writer keeps with the tree head.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

_sha256 = hashlib.sha256
EMPTY_ROOT = _sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two smaller than n (n > 1): the size of the left subtree."""
    return 1 << ((n - 1).bit_length() - 1)


class Frontier:
    """The right edge of a tree being built leaf by leaf: the roots of its perfect subtrees, largest first."""

    __slots__ = ("nodes", "size")

    def __init__(self, nodes: Sequence[bytes] = (), size: int = 0) -> None:
        if len(nodes) != size.bit_count():
            raise ValueError(f"a frontier of size {size} has {size.bit_count()} nodes, not {len(nodes)}")
        self.nodes = list(nodes)
        self.size = size

    def append(self, leaf: bytes) -> None:
        """Add a leaf hash (already hashed with `leaf_hash`)."""
        h, s, nodes = leaf, self.size, self.nodes
        while s & 1:
            h = node_hash(nodes.pop(), h)
            s >>= 1
        nodes.append(h)
        self.size += 1

    def extend(self, leaves: Iterable[bytes]) -> None:
        for leaf in leaves:
            self.append(leaf)

    def root(self) -> bytes:
        if not self.nodes:
            return EMPTY_ROOT
        r = self.nodes[-1]
        for n in reversed(self.nodes[:-1]):
            r = node_hash(n, r)
        return r

    def copy(self) -> Frontier:
        return Frontier(self.nodes, self.size)

    def to_hex(self) -> list[str]:
        return [n.hex() for n in self.nodes]

    @classmethod
    def from_hex(cls, nodes: Sequence[str], size: int) -> Frontier:
        return cls([bytes.fromhex(n) for n in nodes], size)


def root(leaves: Sequence[bytes], lo: int = 0, hi: int | None = None) -> bytes:
    """MTH(D[lo:hi]) over leaf hashes."""
    f = Frontier()
    f.extend(leaves[lo : len(leaves) if hi is None else hi])
    return f.root()


def inclusion_proof(leaves: Sequence[bytes], index: int, size: int | None = None) -> list[bytes]:
    """PATH(index, D[:size]) of RFC 6962 §2.1.1: the sibling hashes from the leaf up to the root."""
    n = len(leaves) if size is None else size
    if not 0 <= index < n <= len(leaves):
        raise ValueError(f"no leaf {index} in a tree of {n}")

    def path(m: int, lo: int, hi: int) -> list[bytes]:
        if hi - lo == 1:
            return []
        k = split_point(hi - lo)
        if m < k:
            return path(m, lo, lo + k) + [root(leaves, lo + k, hi)]
        return path(m - k, lo + k, hi) + [root(leaves, lo, lo + k)]

    return path(index, 0, n)


def consistency_proof(leaves: Sequence[bytes], old: int, new: int | None = None) -> list[bytes]:
    """PROOF(old, D[:new]) of RFC 6962 §2.1.2: what shows that the tree of `old` leaves is a prefix of `new`."""
    n = len(leaves) if new is None else new
    if not 0 <= old <= n <= len(leaves):
        raise ValueError(f"no consistency proof from {old} to {n}")
    if old in (0, n):
        return []

    def subproof(m: int, lo: int, hi: int, whole: bool) -> list[bytes]:
        if m == hi - lo:
            return [] if whole else [root(leaves, lo, hi)]
        k = split_point(hi - lo)
        if m <= k:
            return subproof(m, lo, lo + k, whole) + [root(leaves, lo + k, hi)]
        return subproof(m - k, lo + k, hi, False) + [root(leaves, lo, lo + k)]

    return subproof(old, 0, n, True)


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does `proof` lead from the leaf hash at `index` to the root of a tree of `size`?"""
    if not 0 <= index < size or len(leaf) != 32 or len(expected_root) != 32:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if len(p) != 32 or sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: is the tree of `old` leaves with `old_root` a prefix of the tree of `new` with
    `new_root`?"""
    if not 0 <= old <= new or len(old_root) != 32 or len(new_root) != 32 or any(len(p) != 32 for p in proof):
        return False
    if old == new:
        return not proof and old_root == new_root
    if old == 0:
        return not proof and old_root == EMPTY_ROOT
    if not proof:
        return False
    path = list(proof)
    if old & (old - 1) == 0:  # an exact power of two: the old root is itself a node of the new tree
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


def levels_of(leaves: Sequence[bytes]) -> list[list[bytes]]:
    """Every level of the perfect subtrees over `leaves`, a level at a time: level j holds the roots of the aligned
    ranges [k·2^j, (k+1)·2^j) that are complete (an odd last node waits for a later leaf, as in the tree)."""
    sha = _sha256
    levels = [list(leaves)]
    while len(levels[-1]) > 1:
        it = iter(levels[-1])
        levels.append([sha(b"\x01" + a + b).digest() for a, b in zip(it, it, strict=False)])
    return levels


def prefix_root(levels: Sequence[Sequence[bytes]], size: int) -> bytes:
    """MTH(D[:size]) from `levels_of(D)` (size ≤ len(D)): the frontier at `size`, folded as Frontier.root does."""
    if size == 0:
        return EMPTY_ROOT
    nodes, offset = [], 0
    for j in range(size.bit_length() - 1, -1, -1):
        if size >> j & 1:
            nodes.append(levels[j][offset >> j])
            offset += 1 << j
    r = nodes[-1]
    for n in reversed(nodes[:-1]):
        r = node_hash(n, r)
    return r
