import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tiantou.core.models import AuditEntry
from tiantou.people import services
from tiantou.people.choices import PostingEventKind, PostingStatus
from tiantou.people.models import LetterTarget, Programme

PDF = b"%PDF-1.4\n%fake but well-started\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


def test_programme_create_needs_the_right_and_is_audited(bob, alice, dana, county):
    for actor in (alice, dana):
        with pytest.raises(PermissionDenied):
            services.programme_create(actor=actor, region=county, name="x", kind="assistant")
    programme = services.programme_create(
        actor=bob,
        region=county,
        name=" 科技助理 ",
        kind="assistant",
        monthly_subsidy=Decimal("100"),
    )
    assert programme.name == "科技助理"
    assert AuditEntry.objects.filter(object_id=str(programme.pk), action="create").exists()
    with pytest.raises(ValidationError):
        services.programme_create(actor=bob, region=county, name="科技助理", kind="assistant")


def test_programme_update_checks_the_version(bob, programme):
    services.programme_update(
        actor=bob, programme=programme, expected_version=1, monthly_subsidy=Decimal("200")
    )
    assert Programme.objects.get().version == 2
    with pytest.raises(ValidationError) as error:
        services.programme_update(
            actor=bob, programme=programme, expected_version=1, monthly_subsidy=Decimal("300")
        )
    assert error.value.code == "stale_version"
    assert Programme.objects.get().monthly_subsidy == Decimal("200")


def test_posting_update_changes_benefits_with_history(bob, alice, posting_ming):
    with pytest.raises(PermissionDenied):
        services.posting_update(actor=alice, posting=posting_ming, monthly_subsidy=Decimal("1"))
    services.posting_update(
        actor=bob,
        posting=posting_ming,
        expected_version=posting_ming.version,
        monthly_subsidy=Decimal("200"),
        mode="hired",
        is_from_outside_county=True,
        note="县政府文件调整补贴",
    )
    posting_ming.refresh_from_db()
    assert posting_ming.monthly_subsidy == Decimal("200")
    assert posting_ming.events.filter(kind=PostingEventKind.CHANGED, note__contains="补贴").exists()
    assert AuditEntry.objects.filter(object_id=str(posting_ming.pk), note__contains="补贴").exists()
    with pytest.raises(ValidationError) as error:
        services.posting_update(
            actor=bob, posting=posting_ming, expected_version=1, treatment_grade="正科级"
        )
    assert error.value.code == "stale_version"


def test_posting_update_validates_term_and_host_unit(bob, posting_ming, township_b):
    from tiantou.regions.services import organisation_create

    with pytest.raises(ValidationError) as error:
        services.posting_update(actor=bob, posting=posting_ming, ends_on=posting_ming.starts_on)
    assert "ends_on" in error.value.message_dict
    elsewhere = organisation_create(
        actor=bob, name="孙祖合作社", kind="cooperative", region=township_b
    )
    with pytest.raises(ValidationError) as error:
        services.posting_update(actor=bob, posting=posting_ming, host_organisation=elsewhere)
    assert "host_organisation" in error.value.message_dict


def test_posting_update_keeps_terms_from_overlapping(bob, posting_ming, township_b):
    later = services.posting_create(
        actor=bob,
        person=posting_ming.person,
        programme=posting_ming.programme,
        host_region=township_b,
        starts_on=datetime.date(2028, 3, 1),
    )
    with pytest.raises(ValidationError) as error:
        services.posting_update(actor=bob, posting=posting_ming, ends_on=datetime.date(2028, 6, 1))
    assert error.value.code == "overlap"
    assert later.status == PostingStatus.PLANNED


def test_a_recalled_posting_is_not_edited(bob, posting_ming):
    services.posting_recall(actor=bob, posting=posting_ming, reason="违纪")
    with pytest.raises(ValidationError):
        services.posting_update(actor=bob, posting=posting_ming, treatment_grade="x")


def _targets():
    return [
        {"year": 2025, "description": "引进新品种", "target_value": Decimal("3"), "unit": "个"},
        {"year": 2026, "description": "培训农民", "target_value": Decimal("500"), "unit": "人次"},
        {"year": 2026, "description": "", "target_value": None, "unit": ""},
    ]


def test_letter_sign_stores_targets_file_and_event(bob, posting_ming):
    upload = SimpleUploadedFile("责任书.pdf", PDF, content_type="application/pdf")
    letter = services.letter_sign(
        actor=bob,
        posting=posting_ming,
        signed_on=datetime.date(2025, 3, 10),
        targets=_targets(),
        file=upload,
    )
    assert letter.file.name is not None and letter.file.name.endswith(".pdf")
    assert list(letter.targets.values_list("year", "description")) == [
        (2025, "引进新品种"),
        (2026, "培训农民"),
    ]
    assert posting_ming.events.filter(kind=PostingEventKind.LETTER_SIGNED).exists()
    assert AuditEntry.objects.filter(object_id=str(letter.pk), note__contains="引进新品种").exists()
    # Signing again replaces the targets.
    services.letter_sign(
        actor=bob,
        posting=posting_ming,
        signed_on=datetime.date(2025, 3, 12),
        targets=[{"year": 2027, "description": "建示范点"}],
    )
    assert list(LetterTarget.objects.values_list("description", flat=True)) == ["建示范点"]
    letter.refresh_from_db()
    assert letter.signed_on == datetime.date(2025, 3, 12) and letter.file


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("letter.docx", b"PK\x03\x04", "file_type"),
        ("letter.pdf", b"MZ not a pdf", "file_content"),
        ("letter.png", b"\xff\xd8\xff a jpeg named png", "file_content"),
    ],
)
def test_letter_sign_refuses_other_files(bob, posting_ming, name, content, code):
    with pytest.raises(ValidationError) as error:
        services.letter_sign(
            actor=bob,
            posting=posting_ming,
            signed_on=datetime.date(2025, 3, 10),
            targets=_targets(),
            file=SimpleUploadedFile(name, content),
        )
    assert "file" in error.value.message_dict
    assert error.value.error_dict["file"][0].code == code


def test_letter_sign_refuses_big_files_and_bad_targets(bob, dana, posting_ming, settings):
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError) as error:
        services.letter_sign(
            actor=bob,
            posting=posting_ming,
            signed_on=datetime.date(2025, 3, 10),
            targets=_targets(),
            file=big,
        )
    assert error.value.error_dict["file"][0].code == "file_size"
    with pytest.raises(ValidationError) as error:
        services.letter_sign(
            actor=bob,
            posting=posting_ming,
            signed_on=datetime.date(2025, 3, 10),
            targets=[{"year": 2031, "description": "超出任期"}],
        )
    assert "targets" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.letter_sign(
            actor=bob, posting=posting_ming, signed_on=datetime.date(2025, 3, 10), targets=[]
        )
    with pytest.raises(PermissionDenied):
        services.letter_sign(
            actor=dana,
            posting=posting_ming,
            signed_on=datetime.date(2025, 3, 10),
            targets=_targets(),
        )
    assert not LetterTarget.objects.exists()


def test_person_update_checks_the_version_and_keeps_the_id(bob, person_ming):
    services.person_update(actor=bob, person=person_ming, expected_version=1, phone="139")
    with pytest.raises(ValidationError) as error:
        services.person_update(actor=bob, person=person_ming, expected_version=1, phone="138")
    assert error.value.code == "stale_version"
    person_ming.refresh_from_db()
    assert person_ming.phone == "139" and person_ming.id_number_masked


def test_a_change_of_specialties_is_audited_by_name(bob, county):
    from tiantou.core.audit import entries_for
    from tiantou.people.models import Person, Specialty

    crops, vegetables = Specialty.objects.get(name="种植业"), Specialty.objects.get(name="蔬菜")
    person = services.person_create(actor=bob, name="王五", region=county, specialties=[crops])
    created = entries_for(person).get()
    assert created.after is not None
    assert created.after["specialties"] == [crops.pk]
    services.person_update(actor=bob, person=person, specialties=[crops, vegetables])
    latest = entries_for(person).first()
    assert latest is not None
    label = str(Person._meta.get_field("specialties").verbose_name)
    rows = {row[0]: row[1:] for row in latest.readable_changes()}
    assert rows[label] == ("种植业", "种植业、蔬菜")
    # Nothing changed: no new row.
    services.person_update(actor=bob, person=person, specialties=[vegetables, crops])
    assert entries_for(person).count() == 2
    # Specialties left out (None) stay as they are.
    services.person_update(actor=bob, person=person, name="王五一", specialties=None)
    assert sorted(s.name for s in person.specialties.all()) == ["种植业", "蔬菜"]
