"""Input and output shapes for departments, users, sign-in and passwords."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from registry.permissions import Role
from registry.validation import InputSchema, LowerEmail, UpperString

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 256

_code = UpperString(
    required=True,
    validate=validate.Regexp(
        r"^[A-Z][A-Z0-9]{1,15}$",
        error="Use 2 to 16 capital letters or digits, starting with a letter (for example PW).",
    ),
)
_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
_email = LowerEmail(required=True, validate=validate.Length(max=254))


class DepartmentIn(InputSchema):
    code = _code
    name = _name
    contact_name = fields.String(load_default=None, validate=validate.Length(max=200))
    contact_email = LowerEmail(load_default=None, validate=validate.Length(max=254))


class DepartmentUpdate(DepartmentIn):
    """The code is a stable key that other records and exports refer to, so it never changes."""

    class Meta:
        exclude = ("code",)


class DepartmentOut(Schema):
    code = fields.String()
    name = fields.String()
    contact_name = fields.String(allow_none=True)
    contact_email = fields.String(allow_none=True)


class DepartmentListOut(Schema):
    items = fields.List(fields.Nested(DepartmentOut))


class UserIn(InputSchema):
    email = _email
    name = _name
    roles = fields.List(fields.Enum(Role, by_value=True), load_default=list)
    departments = fields.List(UpperString(), load_default=list)
    is_chair = fields.Boolean(load_default=False)


class UserUpdate(UserIn):
    active = fields.Boolean(load_default=True)


class UserOut(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    roles = fields.List(fields.String(), attribute="role_names")
    departments = fields.List(fields.String(), attribute="department_codes")
    is_chair = fields.Boolean()
    active = fields.Boolean()
    last_sign_in_at = fields.AwareDateTime(allow_none=True)


class MeOut(UserOut):
    """The signed-in user, with what their roles allow."""

    permissions = fields.List(fields.String(), attribute="permission_names")


class SignInIn(InputSchema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(
        required=True, validate=validate.Length(min=1, max=PASSWORD_MAX_LENGTH)
    )
    next = fields.String(load_default=None)


_new_password = fields.String(
    required=True,
    validate=validate.Length(
        min=PASSWORD_MIN_LENGTH,
        max=PASSWORD_MAX_LENGTH,
        error=f"Use at least {PASSWORD_MIN_LENGTH} characters (a few words make a good one).",
    ),
)


class PasswordChangeIn(InputSchema):
    current_password = fields.String(required=True)
    new_password = _new_password
    confirm_password = fields.String(required=True)

    @validates_schema
    def _confirmed(self, data, **_kwargs):
        if data.get("new_password") != data.get("confirm_password"):
            raise ValidationError("The two new passwords differ.", "confirm_password")


class NewPasswordIn(InputSchema):
    """A password set from the CLI: only the strength rule applies."""

    password = _new_password


class InvitationAcceptIn(InputSchema):
    """The password an invited person chooses, typed twice."""

    password = _new_password
    confirm = fields.String(required=True, error_messages={"required": "Type the password again."})
