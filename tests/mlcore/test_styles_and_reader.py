import json
import shutil

import pytest

from mlcore.kfashion import (
    balanced_sample,
    data_fingerprint,
    label_read,
    records_scan,
    stratified_split,
    style_counts,
)
from mlcore.styles import STYLE_CODES, STYLES, TAXONOMY_CODES, style_code_from_label


def test_the_taxonomy_has_the_23_k_fashion_styles_in_a_fixed_order_then_other():
    assert len(STYLES) == 23
    assert [s.korean for s in STYLES][:3] == ["클래식", "프레피", "매니시"]
    assert STYLES[-1].korean == "스트리트"
    assert TAXONOMY_CODES[-1] == "other" and len(TAXONOMY_CODES) == 24


@pytest.mark.parametrize(
    "label,code",
    [
        ("키치", "kitsch"),
        ("키치/키덜트", "kitsch"),
        ("로맨틱", "romantic"),
        (" 리조트 ", "resort"),
        ("Street", "street"),
        ("", None),
        ("없는스타일", None),
    ],
)
def test_labels_map_to_style_codes_including_ai_hubs_spelling_of_kitsch(label, code):
    assert style_code_from_label(label) == code


def test_the_reader_reads_the_untouched_ai_hub_files(shared_data):
    records = records_scan(shared_data / "kfashion-original")
    assert len(records) == 32
    assert style_counts(records) == {"other": 2, "resort": 10, "retro": 10, "romantic": 10}
    assert all(r.label_width and r.label_height for r in records)
    assert {r.substyle for r in records} - {None} <= set(STYLE_CODES)
    assert any(r.substyle == "feminine" for r in records)


def test_a_label_with_an_empty_style_object_becomes_other(shared_data):
    label = next((shared_data / "kfashion-original" / "none").glob("*.json"))
    style, substyle, width, height = label_read(label)
    assert (style, substyle) == ("other", None)
    assert width and height


def test_the_reader_tolerates_images_smaller_than_their_json_says(shared_data):
    records = records_scan(shared_data / "kfashion-sample")
    assert len(records) == 1762
    from PIL import Image

    sample = next(r for r in records if r.style == "romantic")
    assert Image.open(sample.image_path).width < sample.label_width


def test_the_reader_skips_unreadable_labels_and_keeps_extra_keys(tmp_path, shared_data):
    source = next((shared_data / "kfashion-original" / "로맨틱").glob("*.json"))
    folder = tmp_path / "로맨틱"
    folder.mkdir()
    data = json.loads(source.read_text(encoding="utf-8"))
    data["추가 키"] = {"anything": 1}
    (folder / "a.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    shutil.copy(source.with_suffix(".jpg"), folder / "a.jpg")
    (folder / "b.json").write_text("{not json", encoding="utf-8")
    shutil.copy(source.with_suffix(".jpg"), folder / "b.jpg")
    records = records_scan(tmp_path)
    assert [r.image_path.name for r in records] == ["a.jpg"]
    assert records[0].style == "romantic"


def test_balanced_sampling_caps_each_style_and_is_seeded(shared_data):
    records = records_scan(shared_data / "kfashion-sample")
    sample = balanced_sample(records, cap_per_style=100, seed=3)
    assert style_counts(sample) == {"resort": 100, "retro": 100, "romantic": 100}
    assert sample == balanced_sample(records, cap_per_style=100, seed=3)
    assert sample != balanced_sample(records, cap_per_style=100, seed=4)


def test_the_split_is_stratified_and_seeded(shared_data):
    records = balanced_sample(records_scan(shared_data / "kfashion-sample"), cap_per_style=None)
    train, val = stratified_split(records, val_fraction=0.1, seed=0)
    assert style_counts(val) == {"resort": 80, "retro": 16, "romantic": 80}
    assert not {r.image_path for r in train} & {r.image_path for r in val}
    assert (train, val) == stratified_split(records, val_fraction=0.1, seed=0)
    assert data_fingerprint(train) != data_fingerprint(val)
