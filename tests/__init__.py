def shown(value: object) -> str:
    """A value an issue carries, as the default display units show it (µg/L, µmol/L, kg)."""
    from tacrocalc.present.words import Words

    return Words().render(value)
