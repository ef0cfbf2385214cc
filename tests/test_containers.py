"""The containers chapter: five LeNets, one model; ModuleList and ModuleDict on their own."""

from __future__ import annotations

import torch

from examples.containers import (
    ConvChoice,
    DeepLinear,
    LeNet,
    LeNetModuleDict,
    LeNetNamedSequential,
    LeNetSequential,
    main,
)


def test_all_five_lenets_agree() -> None:
    results = main(["--device", "cpu"])
    assert set(results["parameters"].values()) == {61326}  # LeNet for 2 classes
    assert results["same_output"]


def test_lenet_parameter_count_by_hand() -> None:
    by_hand = (
        (3 * 6 * 25 + 6) + (6 * 16 * 25 + 16) + (400 * 120 + 120) + (120 * 84 + 84) + 84 * 10 + 10
    )
    assert sum(p.numel() for p in LeNet(classes=10).parameters()) == by_hand == 62006


def test_names_in_state_dict() -> None:
    assert "features.0.weight" in LeNetSequential().state_dict()
    assert "features.conv1.weight" in LeNetNamedSequential().state_dict()
    assert "layers.conv1.weight" in LeNetModuleDict().state_dict()


def test_modulelist_holds_twenty_registered_layers() -> None:
    deep = DeepLinear()
    assert len(deep.layers) == 20
    assert sum(p.numel() for p in deep.parameters()) == 20 * 110


def test_moduledict_chooses_by_key() -> None:
    choice = ConvChoice()
    image = torch.randn(1, 3, 8, 8)
    assert choice(image, "conv", "relu").shape == (1, 8, 8, 8)
    assert choice(image, "pool", "prelu").shape == (1, 3, 8, 8)
    assert (choice(image, "conv", "relu") >= 0).all()


def test_the_dictionary_lenet_calls_one_relu_four_times_and_one_pool_twice() -> None:
    """The page says so: count the calls with forward hooks."""
    from examples.containers import LeNetModuleDict

    model = LeNetModuleDict()
    calls = {"relu": 0, "pool": 0}
    for name in calls:
        model.layers[name].register_forward_hook(
            lambda module, args, output, name=name: calls.__setitem__(name, calls[name] + 1)
        )
    model(torch.randn(1, 3, 32, 32))
    assert calls == {"relu": 4, "pool": 2}


def test_load_state_dict_fails_across_variants_but_copy_weights_works() -> None:
    """The page: the keys differ, so copy_weights pairs parameters by registration order."""
    import pytest

    from examples.containers import copy_weights

    source, target = LeNetSequential(classes=2), LeNetNamedSequential(classes=2)
    with pytest.raises(RuntimeError, match="Missing key"):
        target.load_state_dict(source.state_dict())
    copy_weights(source, target)
    x = torch.randn(2, 3, 32, 32)
    assert torch.equal(source(x), target(x))


def test_sequential_indices_skip_layers_without_weights() -> None:
    keys = [k for k in LeNetSequential(classes=2).state_dict() if k.endswith("weight")]
    assert keys == [
        "features.0.weight",
        "features.3.weight",
        "classifier.0.weight",
        "classifier.2.weight",
        "classifier.4.weight",
    ]


def test_one_sequential_shares_the_modules() -> None:
    from torch import nn

    model = LeNetSequential(classes=2)
    flat = nn.Sequential(*model.features, nn.Flatten(), *model.classifier)
    x = torch.randn(2, 3, 32, 32)
    assert torch.equal(flat(x), model(x))
    assert flat[0] is model.features[0]
    assert tuple(model.features[:3](x).shape) == (2, 6, 14, 14)


def test_parameter_containers_register_parameters() -> None:
    from torch import nn

    holder = nn.Module()
    holder.weights = nn.ParameterList([nn.Parameter(torch.ones(2)) for _ in range(3)])
    holder.named = nn.ParameterDict({"scale": nn.Parameter(torch.ones(4))})
    assert sum(p.numel() for p in holder.parameters()) == 10
    assert "named.scale" in holder.state_dict()


def test_only_sequential_and_modulelist_load_each_others_state_dict() -> None:
    """The page's table: of the ten pairs, only this one matches keys, in both directions."""
    from itertools import permutations

    from examples.containers import LeNetModuleList, loads_state_dict

    variants = [LeNet, LeNetSequential, LeNetNamedSequential, LeNetModuleList, LeNetModuleDict]
    loading = {
        (a.__name__, b.__name__)
        for a, b in permutations(variants, 2)
        if loads_state_dict(a(classes=2), b(classes=2))
    }
    assert loading == {
        ("LeNetSequential", "LeNetModuleList"),
        ("LeNetModuleList", "LeNetSequential"),
    }
    source, target = LeNetModuleList(classes=2), LeNetSequential(classes=2)
    assert loads_state_dict(source, target)
    x = torch.randn(2, 3, 32, 32)
    assert torch.equal(source(x), target(x))
