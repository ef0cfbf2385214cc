"""Parameter tables of layers: names and defaults read from the installed torch, meanings ours.

A page asks for a table with ``<!-- parameters: Conv2d -->``; site_tools/hooks/content.py fills it in
the page's language. tests/test_layer_params.py fails when torch has a parameter we do not explain.
"""

from __future__ import annotations

import inspect

from torch import nn

COMMON = {
    "device": (
        "where the parameters are created (CPU or a GPU)",
        "参数创建在哪个设备上（CPU 或 GPU）",
    ),
    "dtype": ("data type of the parameters", "参数的数据类型"),
    "inplace": (
        "overwrite the input instead of allocating a new tensor",
        "直接覆盖输入，而不是分配新张量",
    ),
}
CONV = {
    "in_channels": ("channels of the input", "输入的通道数"),
    "out_channels": (
        "channels of the output, that is the number of kernels",
        "输出的通道数，即卷积核的个数",
    ),
    "kernel_size": ("height and width of each kernel", "每个卷积核的高和宽"),
    "stride": ("step between two kernel positions", "卷积核相邻两个位置之间的步长"),
    "padding": ("zeros (or other values) added around the input", "在输入四周添加的填充"),
    "dilation": (
        "spacing between kernel elements (dilated convolution)",
        "卷积核元素之间的间隔（空洞卷积）",
    ),
    "groups": (
        "split channels into groups convolved separately (grouped convolution)",
        "把通道分成若干组分别卷积（分组卷积）",
    ),
    "bias": ("add a learnable bias per output channel", "每个输出通道加一个可学习的偏置"),
    "padding_mode": (
        "what the padding holds: zeros, reflect, replicate or circular",
        "填充的内容：zeros、reflect、replicate 或 circular",
    ),
}
MEANINGS: dict[type, dict[str, tuple[str, str]]] = {
    nn.Conv2d: CONV,
    nn.ConvTranspose2d: {
        **CONV,
        "padding": ("removes rows and columns from the output's border", "从输出的边缘去掉的行和列"),
        "output_padding": ("extra size added to one side of the output, to pick among sizes a stride allows", "在输出一侧额外增加的尺寸，用于在步长允许的几种尺寸中选择"),
    },
    nn.MaxPool2d: {
        "kernel_size": ("height and width of the pooling window", "池化窗口的高和宽"),
        "stride": ("step between windows (default: kernel_size)", "窗口之间的步长（默认等于 kernel_size）"),
        "padding": ("implicit negative infinity added around the input", "在输入四周隐式添加的负无穷"),
        "dilation": ("spacing between window elements", "窗口元素之间的间隔"),
        "return_indices": ("also return where each maximum was, for MaxUnpool2d", "同时返回每个最大值的位置，供 MaxUnpool2d 使用"),
        "ceil_mode": ("round the output size up, keeping a last partial window", "输出尺寸向上取整，保留最后一个不完整的窗口"),
    },
    nn.AvgPool2d: {
        "kernel_size": ("height and width of the pooling window", "池化窗口的高和宽"),
        "stride": ("step between windows (default: kernel_size)", "窗口之间的步长（默认等于 kernel_size）"),
        "padding": ("zeros added around the input", "在输入四周添加的零填充"),
        "ceil_mode": ("round the output size up, keeping a last partial window", "输出尺寸向上取整，保留最后一个不完整的窗口"),
        "count_include_pad": ("count padded zeros in the average's divisor", "求平均时把填充的零计入除数"),
        "divisor_override": ("divide by this number instead of the window size", "用这个数代替窗口大小作除数"),
    },
    nn.Linear: {
        "in_features": ("size of each input vector", "每个输入向量的长度"),
        "out_features": ("size of each output vector (rows of the weight)", "每个输出向量的长度（权值矩阵的行数）"),
        "bias": ("add a learnable bias vector", "加上一个可学习的偏置向量"),
    },
    nn.LeakyReLU: {"negative_slope": ("slope for negative inputs", "负输入部分的斜率")},
    nn.PReLU: {
        "num_parameters": ("number of learnable slopes: 1, or one per channel", "可学习斜率的个数：1，或每个通道一个"),
        "init": ("initial value of the slopes", "斜率的初始值"),
    },
    nn.RReLU: {
        "lower": ("lower bound of the random slope", "随机斜率的下界"),
        "upper": ("upper bound of the random slope", "随机斜率的上界"),
    },
}  # fmt: skip

HEADERS = {"en": ("parameter", "default", "meaning"), "zh": ("参数", "默认值", "含义")}
REQUIRED = {"en": "(required)", "zh": "（必填）"}


def parameters(cls: type) -> dict[str, object]:
    """Constructor parameters of ``cls`` and their defaults, from the installed torch."""
    return {
        name: parameter.default
        for name, parameter in inspect.signature(cls).parameters.items()
        if parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
    }


def unexplained(cls: type) -> list[str]:
    meanings = {**COMMON, **MEANINGS.get(cls, {})}
    return [name for name in parameters(cls) if name not in meanings]


def table(name: str, language: str) -> str:
    cls = getattr(nn, name)
    meanings = {**COMMON, **MEANINGS[cls]}
    index = 0 if language == "en" else 1
    head = HEADERS[language]
    rows = [f"| {head[0]} | {head[1]} | {head[2]} |", "|---|---|---|"]
    for parameter, default in parameters(cls).items():
        shown = REQUIRED[language] if default is inspect.Parameter.empty else f"`{default!r}`"
        rows.append(f"| `{parameter}` | {shown} | {meanings[parameter][index]} |")
    return "\n".join(rows)
