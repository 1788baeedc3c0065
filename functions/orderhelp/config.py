"""Settings, read from the environment once per process and validated at start."""

from functools import cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from lifecycle.policy import Policy


class PolicySettings(BaseSettings):
    """The help policy in force; copied onto each order when it is paid."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    return_window_days: int = Field(default=30, ge=0, le=365)
    claim_window_days: int = Field(default=30, ge=0, le=365)
    delay_grace_hours: int = Field(default=0, ge=0, le=24 * 30)

    def policy(self) -> Policy:
        return Policy(**self.model_dump())


@cache
def policy_settings() -> PolicySettings:
    return PolicySettings()
