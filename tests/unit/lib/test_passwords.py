from bff.auth.passwords import hash_password, verify_password


def test_argon2_round_trip() -> None:
    hashed = hash_password("s3cret-Pass")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "s3cret-Pass")
    assert not verify_password(hashed, "s3cret-pass")
    assert not verify_password(None, "s3cret-Pass")
    assert not verify_password("not-a-hash", "x")
