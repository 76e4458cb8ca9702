"""The log's Merkle tree against the Certificate Transparency reference vectors (RFC 6962, as published with
certificate-transparency and transparency-dev/merkle), and every proof of every small tree."""

from __future__ import annotations

import pytest

from gridgov.audit.merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    levels_of,
    node_hash,
    prefix_root,
    root,
    split_point,
    verify_consistency,
    verify_inclusion,
)

ENTRIES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                       "606162636465666768696a6b6c6d6e6f")]  # fmt: skip
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = {
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}
CONSISTENCY = {
    (2, 8): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}
LEAVES = [leaf_hash(e) for e in ENTRIES]


def test_roots_of_the_reference_tree_for_every_size() -> None:
    assert EMPTY_ROOT.hex() == ROOTS[0]
    for n in range(9):
        assert root(LEAVES[:n]).hex() == ROOTS[n], n


def test_the_frontier_grows_to_the_same_roots_leaf_by_leaf() -> None:
    f = Frontier()
    assert f.root().hex() == ROOTS[0]
    for n, leaf in enumerate(LEAVES, start=1):
        f.append(leaf)
        assert f.root().hex() == ROOTS[n]
        again = Frontier.from_hex(f.to_hex(), f.size)  # what the head row keeps
        assert again.root() == f.root()


def test_the_tree_a_level_at_a_time_gives_every_prefix_root() -> None:
    """What verify and checkpoint build: all levels once, then the root of any prefix (checkpoints of older sizes)."""
    levels = levels_of(LEAVES)
    for n in range(9):
        assert prefix_root(levels, n).hex() == ROOTS[n], n
    many = [leaf_hash(i.to_bytes(2, "big")) for i in range(300)]
    levels = levels_of(many)
    for n in (0, 1, 2, 3, 7, 64, 65, 127, 128, 129, 255, 256, 299, 300):
        assert prefix_root(levels, n) == root(many[:n]), n


def test_leaf_and_node_hashes_carry_their_prefixes() -> None:
    assert leaf_hash(b"").hex() == ROOTS[1]  # SHA-256(0x00)
    assert node_hash(LEAVES[0], LEAVES[1]).hex() == ROOTS[2]
    assert leaf_hash(LEAVES[0] + LEAVES[1]) != node_hash(LEAVES[0], LEAVES[1])


def test_split_is_the_largest_power_of_two_below() -> None:
    assert [split_point(n) for n in (2, 3, 4, 5, 8, 9, 1000)] == [1, 2, 2, 4, 4, 8, 512]


@pytest.mark.parametrize(("index", "size"), sorted(INCLUSION))
def test_reference_inclusion_proofs(index: int, size: int) -> None:
    proof = inclusion_proof(LEAVES, index, size)
    assert [p.hex() for p in proof] == INCLUSION[(index, size)]
    assert verify_inclusion(LEAVES[index], index, size, proof, bytes.fromhex(ROOTS[size]))


@pytest.mark.parametrize(("old", "new"), sorted(CONSISTENCY))
def test_reference_consistency_proofs(old: int, new: int) -> None:
    proof = consistency_proof(LEAVES, old, new)
    assert [p.hex() for p in proof] == CONSISTENCY[(old, new)]
    assert verify_consistency(old, new, bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new]), proof)


MANY = [leaf_hash(bytes([i, i * 7 % 256])) for i in range(40)]
MANY_ROOTS = [root(MANY[:n]) for n in range(41)]


def test_every_inclusion_proof_of_every_size_verifies_and_nothing_else_does() -> None:
    for n in range(1, 41):
        for i in range(n):
            proof = inclusion_proof(MANY, i, n)
            assert verify_inclusion(MANY[i], i, n, proof, MANY_ROOTS[n])
            assert not verify_inclusion(leaf_hash(b"other"), i, n, proof, MANY_ROOTS[n])
            if n > 1:
                assert not verify_inclusion(MANY[i], (i + 1) % n, n, proof, MANY_ROOTS[n])
                assert not verify_inclusion(MANY[i], i, n, proof[:-1], MANY_ROOTS[n])
                assert not verify_inclusion(MANY[i], i, n, [*proof, MANY[0]], MANY_ROOTS[n])
                flipped = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
                assert not verify_inclusion(MANY[i], i, n, flipped, MANY_ROOTS[n])
    assert not verify_inclusion(MANY[0], 8, 8, inclusion_proof(MANY, 0, 8), MANY_ROOTS[8])


def test_every_consistency_proof_of_every_pair_verifies_and_a_rewritten_prefix_does_not() -> None:
    rewritten = list(MANY)
    rewritten[3] = leaf_hash(b"forged")
    for new in range(41):
        for old in range(new + 1):
            proof = consistency_proof(MANY, old, new)
            assert verify_consistency(old, new, MANY_ROOTS[old], MANY_ROOTS[new], proof), (old, new)
            if 3 < old < new:
                assert not verify_consistency(old, new, root(rewritten[:old]), MANY_ROOTS[new], proof)
                assert not verify_consistency(old, new, MANY_ROOTS[old], MANY_ROOTS[new], proof[:-1])
    assert verify_consistency(0, 8, EMPTY_ROOT, MANY_ROOTS[8], [])
    assert not verify_consistency(8, 6, MANY_ROOTS[8], MANY_ROOTS[6], [])
    assert not verify_consistency(4, 4, MANY_ROOTS[4], MANY_ROOTS[5], [])


def test_a_frontier_of_the_wrong_shape_is_refused() -> None:
    with pytest.raises(ValueError):
        Frontier([LEAVES[0]], 3)
