"""matplotlib with the Agg backend (no display needed), imported only when a plot is drawn."""


def pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def save(figure, path: str) -> str:
    figure.savefig(path, dpi=110, bbox_inches="tight")
    pyplot().close(figure)
    return path
