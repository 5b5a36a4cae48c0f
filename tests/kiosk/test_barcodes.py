"""QR round trips through real zbar on generated images."""

from __future__ import annotations

import pytest
from PIL import Image

from kiosk.barcodes import FrameDecoder, decode_gray, decode_image, symbols_for
from tests.qr_images import frame, qr_image

URL = "https://zwfw.weihai.example/guide/371000-GA-0001?from=kiosk&kiosk=wh-0042&lang=zh_CN"


def test_a_qr_code_reads_back_with_its_type_and_position() -> None:
    image = Image.new("L", (400, 300), 255)
    image.paste(qr_image(URL, scale=4), (50, 40))
    [found] = decode_image(image, ["qrcode"])
    assert (found.symbology, found.data) == ("qrcode", URL)
    # The quiet zone is 4 modules of 4 px: the symbol starts 16 px inside the pasted image.
    assert (found.left, found.top) == (66, 56) and found.width == found.height
    assert len(found.polygon) == 4
    assert URL not in repr(found)  # codes may be personal data: never in a repr


@pytest.mark.parametrize("text", ["威海市政务服务 一次性告知单", "威海", "居民码 RC:12"])
def test_chinese_text_reads_back_as_written(text: str) -> None:
    # Written as UTF-8 without an ECI marker, which zbar reads as Latin-1 or Shift-JIS.
    [found] = decode_image(qr_image(text))
    assert found.data == text


@pytest.mark.parametrize("angle", [90, 30, 45, 180])
def test_a_rotated_code_reads_back(angle: int) -> None:
    rotated = qr_image(URL, scale=5).rotate(angle, expand=True, fillcolor=255)
    assert [code.data for code in decode_image(rotated)] == [URL]


def test_a_small_code_of_two_pixels_a_module_reads_back() -> None:
    small = qr_image(URL, scale=2)
    assert small.width < 120
    assert [code.data for code in decode_image(small)] == [URL]


def test_a_low_contrast_code_reads_back() -> None:
    faint = qr_image(URL, scale=4, dark=110, light=165)
    assert [code.data for code in decode_image(faint)] == [URL]


def test_several_codes_in_one_frame_are_all_found_where_they_are() -> None:
    codes = (("RC:first0000000000001", (20, 30)), ("RC:second000000000002", (330, 30)), (URL, (180, 240)))
    image = frame(codes=codes)
    found = {code.data: (code.left, code.top) for code in decode_image(image, ["qrcode"])}
    assert set(found) == {data for data, _ in codes}
    assert found["RC:second000000000002"][0] > found["RC:first0000000000001"][0] + 200


def test_a_frame_without_a_code_gives_nothing() -> None:
    empty = frame()
    assert decode_gray(empty.tobytes(), empty.width, empty.height, ["qrcode"]) == []


def test_an_unknown_symbology_is_named() -> None:
    with pytest.raises(ValueError, match=r"unknown symbology 'pdf417'; known: .*qrcode"):
        symbols_for(["pdf417"])


def test_the_camera_decoder_is_configured_once_and_finds_codes_frame_after_frame() -> None:
    decoder = FrameDecoder(["qrcode"], density=2)
    try:
        codes = (("RC:first0000000000001", (20, 30)), (URL, (180, 240)))
        for seed in range(3):
            image = frame(codes=codes, seed=seed)
            found = decoder.decode(image.tobytes(), image.width, image.height)
            assert {code.data for code in found} == {data for data, _ in codes}
        # Scanning every second line needs modules of 3 px; 2 px ones are left to full density.
        small, tiny = qr_image(URL, scale=3), qr_image(URL, scale=2)
        assert [code.data for code in decoder.decode(small.tobytes(), small.width, small.height)] == [URL]
        assert decoder.decode(tiny.tobytes(), tiny.width, tiny.height) == []
    finally:
        decoder.close()


def test_a_frame_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(ValueError, match="640x480 gray"):
        decode_gray(b"\\0" * 100, 640, 480)
