"""The two stages of the clerk-error channel, from kartoteka.names.channel (shared with the decoder)."""

from __future__ import annotations

from kartoteka.names.channel import (
    PROFILES,
    ClerkErrorRates,
    ministry_katakana_from_cyrillic,
    write_cyrillic_by_ear,
)

__all__ = ["ClerkErrorRates", "channel_profiles", "hear_cyrillic", "ministry_katakana"]

hear_cyrillic = write_cyrillic_by_ear  # stage 1: a Soviet clerk writes the name as he heard it
ministry_katakana = ministry_katakana_from_cyrillic  # stage 2: the ministry reads it back into katakana


def channel_profiles() -> dict[str, ClerkErrorRates]:
    """The channel's rates by profile name."""
    return dict(PROFILES)
