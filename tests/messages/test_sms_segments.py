"""SMS segment counting per GSM 03.38 / UCS-2, at every boundary that costs money."""

import pytest

from app.domain.sms_segments import GSM_EXTENSION, count_segments, gsm_friendly, is_gsm7


@pytest.mark.parametrize(
    ("text", "encoding", "characters", "segments"),
    [
        ("", "GSM-7", 0, 0),
        ("a", "GSM-7", 1, 1),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà", "GSM-7", 64, 1),
        ("€" * 80, "GSM-7", 160, 1),
        ("€" * 81, "GSM-7", 162, 2),
        ("a" * 159 + "€", "GSM-7", 161, 2),
        ("a" * 158 + "|", "GSM-7", 160, 1),
        # An escape pair is never split across parts: the "{" moves whole to the next part.
        ("a" * 152 + "{" + "a" * 152, "GSM-7", 306, 3),
        ("中" * 70, "UCS-2", 70, 1),
        ("中" * 71, "UCS-2", 71, 2),
        ("中" * 134, "UCS-2", 134, 2),
        ("中" * 135, "UCS-2", 135, 3),
        ("😀" * 35, "UCS-2", 70, 1),
        ("😀" * 36, "UCS-2", 72, 2),
        # One non-GSM character turns the whole message into UCS-2.
        ("a" * 69 + "中", "UCS-2", 70, 1),
        ("a" * 159 + "中", "UCS-2", 160, 3),
        ("ç", "UCS-2", 1, 1),
        ("Hello ’quoted’", "UCS-2", 14, 1),
        ("a" * 66 + "😀", "UCS-2", 68, 1),
        # A surrogate pair is never split either.
        ("a" * 66 + "😀" + "a" * 66, "UCS-2", 134, 3),
    ],
)
def test_segments(text, encoding, characters, segments):
    info = count_segments(text)
    assert (info.encoding, info.characters, info.segments) == (encoding, characters, segments)


@pytest.mark.parametrize("char", sorted(GSM_EXTENSION))
def test_every_extension_character_counts_twice(char):
    assert count_segments("x" * 158 + char).segments == 1
    assert count_segments("x" * 159 + char).segments == 2
    assert count_segments(char).characters == 2


@pytest.mark.parametrize("char", list("€[]{}^~\\|"))
def test_named_extension_characters_are_gsm(char):
    assert is_gsm7(char)
    assert char in GSM_EXTENSION


def test_gsm_friendly_keeps_english_sms_in_gsm7():
    text = "Juniper’s “Teapot” – 6:00\u202fPM…"
    assert not is_gsm7(text)
    friendly = gsm_friendly(text)
    assert friendly == "Juniper's \"Teapot\" - 6:00 PM..."
    assert count_segments(friendly).encoding == "GSM-7"
