"""How numbers read for people where templates cannot format them (admin columns)."""


def confidence_percent(value: float | None) -> str:
    """A model's probability as a percentage with one decimal ("87.5%"), "—" when unknown."""
    return "—" if value is None else f"{float(value):.1%}"
