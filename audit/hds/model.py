"""Schemas of the HDS data files: certified hosts, activities, aliases, consumer services."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator, model_validator

from rgpd_audit.datafiles import Snapshot

Activity = Literal[1, 2, 3, 4, 5, 6]
SourceKind = Literal["official_list", "vendor_claim"]


class HostListSnapshot(Snapshot):
    """Header of a hosts list: where it comes from, when, and whether it is the whole list."""

    complete: bool = Field(
        description="True for the full ANS list (a host absent from it is not certified); "
        "false for a partial extract, where absence proves nothing"
    )


class CertifiedHost(BaseModel):
    """One host of the list, with what is known of its certificate."""

    model_config = ConfigDict(extra="forbid")

    legal_name: str = Field(min_length=1)
    trade_names: list[str] = Field(default_factory=list)
    activities: list[Activity] = Field(
        default_factory=list, description="Certified activities 1–6; empty when unknown"
    )
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    referential: str | None = None
    certification_body: str | None = None
    scope: str | None = None
    source_kind: SourceKind
    source: str = Field(min_length=1)
    verified: bool

    @field_validator("activities")
    @classmethod
    def _sorted_once(cls, value: list[int]) -> list[int]:
        return sorted(set(value))

    @model_validator(mode="after")
    def _verified_only_from_the_list(self) -> CertifiedHost:
        # A vendor's own statement must never pass for a certificate seen in the ANS list.
        if self.verified != (self.source_kind == "official_list"):
            raise ValueError("verified vaut true pour official_list et false pour vendor_claim")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("fin de validité antérieure au début (valid_until < valid_from)")
        return self

    def names(self) -> list[str]:
        """Legal name then trade names."""
        return [self.legal_name, *self.trade_names]

    def expired(self, today: dt.date) -> bool:
        """True when the certificate's end of validity is known and past."""
        return self.valid_until is not None and self.valid_until < today


class HostList(BaseModel):
    """A list of certified hosts (shipped extract or downloaded ANS list)."""

    model_config = ConfigDict(extra="forbid")

    snapshot: HostListSnapshot
    hosts: list[CertifiedHost] = Field(min_length=1)


class ActivityCatalog(BaseModel):
    """hds_activities.yaml: labels of the six certifiable activities."""

    snapshot: Snapshot
    activities: dict[Activity, str]

    @model_validator(mode="after")
    def _all_six(self) -> ActivityCatalog:
        if sorted(self.activities) != [1, 2, 3, 4, 5, 6]:
            raise ValueError("les six activités 1 à 6 doivent avoir un libellé")
        return self


class AliasGroup(BaseModel):
    """Names of one company or offer (trade name, acronym)."""

    model_config = ConfigDict(extra="forbid")

    names: list[str] = Field(min_length=2)


class MatchingRules(BaseModel):
    """hds_aliases.yaml: legal forms, generic words and alias groups."""

    model_config = ConfigDict(extra="forbid")

    snapshot: Snapshot
    legal_forms: list[str] = Field(min_length=1)
    generic_words: list[str] = Field(default_factory=list)
    aliases: list[AliasGroup] = Field(default_factory=list)


ServiceKind = Literal["messaging", "mail", "storage"]


class ConsumerService(BaseModel):
    """A consumer service unfit for health data without a specific HDS-covered contract."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    kind: ServiceKind
    names: list[str] = Field(min_length=1)
    professional_words: list[str] = Field(default_factory=list)
    verified: bool


class ConsumerServiceCatalog(BaseModel):
    """consumer_services.yaml: consumer services named in the questionnaire's answers."""

    model_config = ConfigDict(extra="forbid")

    snapshot: Snapshot
    kind_labels: dict[ServiceKind, str]
    services: list[ConsumerService]


class ProviderRole(BaseModel):
    """A questionnaire choice naming a provider that may hold health data."""

    model_config = ConfigDict(extra="forbid")

    choice: str
    label: str
    name_question: str
    hds_question: str | None = Field(
        None,
        description="Question on its hosting, whose « sans_donnees_sante » answer excludes it; "
        "absent when the questionnaire asks none (the practice mailbox)",
    )
    requires: dict[str, JsonValue] = Field(default_factory=dict)
    activity: Activity | None = Field(
        None, description="Activity the provider's certificate must cover, when obvious"
    )


class ProviderQuestions(BaseModel):
    """hds_questions.yaml: where the questionnaire names providers."""

    model_config = ConfigDict(extra="forbid")

    snapshot: Snapshot
    providers_question: str
    roles: list[ProviderRole] = Field(min_length=1)
