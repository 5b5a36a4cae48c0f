"""The attract screen's notices: settings, image checks, rotation."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from kiosk.notices import NOTICE_DIR, Notice, NoticeRotation, image_path, load_notices
from kiosk.settings import LoadedSettings, SettingsError
from kiosk.settings.schema import AttractSection


def attract(*notices: dict[str, str], seconds: float = 8) -> AttractSection:
    return AttractSection.model_validate({"notices": list(notices), "seconds_per_notice": seconds})


def test_the_demo_notices_load_with_their_images(make_settings: Callable[..., LoadedSettings]) -> None:
    notices = load_notices(make_settings().settings.attract, mode="development")
    assert len(notices) == 3
    assert [notice.image for notice in notices[:2]] == [
        NOTICE_DIR / "notices" / "cards.png",
        NOTICE_DIR / "notices" / "qr_phone.png",
    ]
    assert notices[2].image is None and "长辈模式" in notices[2].text


def test_a_broken_or_missing_image_leaves_its_notice_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really a picture" * 10)
    good = tmp_path / "good.png"
    Image.new("RGB", (40, 30), "#0B5CAD").save(good)
    section = attract(
        {"text": "损坏", "image": str(broken)},
        {"text": "缺失", "image": "notices/no-such-picture.png"},
        {"text": "好图", "image": str(good)},
        {"text": "只有文字"},
    )
    with caplog.at_level(logging.WARNING, logger="kiosk.notices"):
        notices = load_notices(section, mode="development")
    assert [notice.text for notice in notices] == ["好图", "只有文字"]
    assert notices[0].image == good
    logged = caplog.text
    assert "attract notice 1 left out" in logged and str(broken) in logged
    assert "attract notice 2 left out" in logged and "no such file" in logged


def test_relative_images_are_looked_up_in_the_demo_folder(tmp_path: Path) -> None:
    assert image_path("notices/cards.png") == NOTICE_DIR / "notices" / "cards.png"
    assert image_path(str(tmp_path / "x.png")) == tmp_path / "x.png"
    assert image_path("x.png", base=tmp_path) == tmp_path / "x.png"


def test_the_notice_speaks_the_kiosks_language() -> None:
    both = Notice("欢迎", "Welcome")
    assert both.text_for("zh_CN") == "欢迎" and both.text_for("en") == "Welcome"
    assert Notice("只有中文").text_for("en") == "只有中文"  # better Chinese than nothing


def test_the_rotation_goes_round() -> None:
    rotation = NoticeRotation([Notice("一"), Notice("二"), Notice("三")])
    seen = [rotation.current] + [rotation.advance() for _ in range(3)]
    assert [notice.text for notice in seen if notice] == ["一", "二", "三", "一"]
    empty = NoticeRotation([])
    assert empty.current is None and empty.advance() is None


@pytest.mark.parametrize(
    ("notice", "complaint"),
    [
        ({}, "a notice needs a text or an image"),
        ({"text": "x", "image": "notice.gif"}, "must be a .png or .jpg file"),
        ({"text": "x", "colour": "red"}, "colour"),
    ],
)
def test_bad_notices_are_refused_with_the_key(
    make_settings: Callable[..., LoadedSettings], notice: dict[str, str], complaint: str
) -> None:
    with pytest.raises(SettingsError) as error:
        make_settings({"attract": {"notices": [notice]}})
    assert "attract.notices" in str(error.value) and complaint in str(error.value)
