"""The simulated panel's allocation: the heap version gives exactly the old greedy result."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.simulated import ArgumentRef, allocate


def greedy(
    arguments: list[ArgumentRef], per_argument: int, k: int, rng: np.random.Generator
) -> list[list[ArgumentRef]]:
    """The original quadratic greedy allocation, kept as the reference."""
    pool = [a for a in arguments for _ in range(per_argument)]
    order = rng.permutation(len(pool))
    pool = [pool[i] for i in order]
    people: list[list[ArgumentRef]] = []
    while pool:
        items: list[ArgumentRef] = []
        topics: set[str] = set()
        rest: list[ArgumentRef] = []
        for arg in pool:
            if len(items) < k and arg.topic not in topics:
                items.append(arg)
                topics.add(arg.topic)
            else:
                rest.append(arg)
        people.append(items)
        pool = rest
    return people


@settings(max_examples=60, deadline=None)
@given(
    topics=st.lists(st.integers(0, 6), min_size=0, max_size=40),
    per_argument=st.integers(1, 4),
    k=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_heap_allocation_equals_the_greedy_reference(
    topics: list[int], per_argument: int, k: int, seed: int
) -> None:
    args = [ArgumentRef(i, f"c{i}", f"t{t}", "w", 1) for i, t in enumerate(topics)]
    fast = allocate(args, per_argument, k, np.random.default_rng(seed))
    assert fast == greedy(args, per_argument, k, np.random.default_rng(seed))
