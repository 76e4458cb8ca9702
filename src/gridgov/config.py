"""Settings: one typed class, read from the environment (prefix GRIDGOV_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "development-only-secret"


def default_database_url() -> str:
    return f"sqlite:///{Path('var') / 'gridgov.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GRIDGOV_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = Field(default_factory=default_database_url)
    # PostgreSQL connections each process keeps open, and how many more it opens in a burst (closed again when
    # returned): size the pool for the requests a process serves at once, since a connection opened and closed
    # per request cost ~2 ms of CPU per case in bench/intake.py (issue 13);
    # max_connections ≥ processes × (pool + overflow)
    db_pool_size: int = Field(default=20, ge=1)
    db_max_overflow: int = Field(default=20, ge=0)
    secret_key: str = DEFAULT_SECRET
    log_level: str = "INFO"
    log_json: bool = False
    timezone: str = "Asia/Shanghai"
    city_code: str = "4101"
    city_name: str = "郑州市"

    # deadlines and escalation
    warning_fraction: float = Field(default=0.8, gt=0, lt=1)
    whistle_report_minutes: int = Field(default=30, gt=0)
    reopen_window_days: int = Field(default=7, ge=0)
    escalation_interval_seconds: int = Field(default=60, ge=0)
    open311_remotes: str = ""  # JSON list of remote Open311 endpoints that take our updates (docs/open311.md)
    open311_push_attempts: int = Field(default=8, ge=1)
    open311_push_backoff_seconds: int = Field(default=60, ge=1)
    escalation_batch_size: int = Field(default=1000, gt=0)

    # metrics: composite of 响应率/解决率/满意率
    weight_response: float = Field(default=0.30, ge=0)
    weight_resolution: float = Field(default=0.35, ge=0)
    weight_satisfaction: float = Field(default=0.35, ge=0)

    # seconds an authenticated token is remembered in one process (a revoked token or a signed-out session goes on
    # working that long in the other processes); 0, the default: every request looks its token up
    auth_cache_seconds: float = Field(default=0.0, ge=0)

    # seconds reference rows (categories, grids) are cached in-process
    reference_cache_seconds: float = Field(default=30.0, ge=0)

    # smart dispatch
    model_path: str | None = None  # a model trained with `gridgov model train`; default: the shipped one
    classify_threshold: float = Field(default=0.6, ge=0, le=1)  # below it a case goes to "needs a person"
    duplicate_radius_m: float = Field(default=500.0, gt=0)
    duplicate_window_days: float = Field(default=7.0, gt=0)
    duplicate_threshold: float = Field(default=0.25, ge=0, le=1)
    # classify and look for duplicates after the intake commit, in a background worker (False: inside the request)
    enrich_async: bool = True

    # public intake limits (residents): requests a minute and burst, per user
    intake_rate_per_minute: float = Field(default=20.0, gt=0)
    intake_burst: int = Field(default=10, gt=0)
    session_hours: int = Field(default=12, gt=0)

    # pages: no street tiles ship with gridgov (grid boundaries are drawn on a plain background); a deployment
    # may name its own tile server, e.g. "https://tiles.example.gov.cn/{z}/{x}/{y}.png" (GCJ-02 tiles: crs gcj02)
    map_tile_url: str = ""
    map_tile_attribution: str = ""
    map_tile_crs: Literal["wgs84", "gcj02"] = "wgs84"
    map_tile_subdomains: str = "abc"  # what {s} in the template stands for, one character each
    # basemaps (docs/geo.md#basemaps), first match wins: an MBTiles package served by gridgov itself (intranets);
    # 天地图 WMTS with the deployment's key (vec: vec_w + cva_w, img: img_w + cia_w; subdomains t0–t7);
    # else the URL template above; else none
    map_mbtiles: str = ""
    map_provider: Literal["", "tianditu"] = ""
    map_tianditu_key: str = ""
    map_tianditu_layers: Literal["vec", "img"] = "vec"
    map_tianditu_url: str = (
        "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}"
        "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}"
    )
    # dashboard: how often the live stream looks for new events (seconds)
    dashboard_poll_seconds: float = Field(default=2.0, gt=0, le=60)

    # suggestion campaigns (便民利民微改革): e-mail intake, attachment limits, duplicate clustering
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=8025, ge=1, le=65535)
    campaign_attachment_max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)  # per file (mail, form, scan)
    campaign_mail_max_bytes: int = Field(default=25 * 1024 * 1024, gt=0)  # whole message over SMTP
    campaign_import_max_bytes: int = Field(default=50 * 1024 * 1024, gt=0)  # one .eml/mbox upload (HTTP import)
    campaign_duplicate_threshold: float = Field(default=0.6, gt=0, le=1)  # char 2/3-gram cosine
    campaign_public_url: str | None = None  # base URL printed in QR codes (default: http://{host}:{port})

    # server
    host: str = "127.0.0.1"
    port: int = 8000

    # sign-in throttle, per (user name, client address): free tries, then 1 s, 2 s, 4 s … up to the cap
    login_free_attempts: int = Field(default=5, ge=1, le=100)
    login_max_delay_seconds: int = Field(default=900, ge=1, le=86_400)
    # request bodies: refused with 413 before they are parsed (and counted while they stream in)
    body_max_bytes: int = Field(default=1024 * 1024, gt=0)  # every route without its own limit (JSON, forms)
    body_limits: dict[str, int] = Field(default_factory=dict)  # path pattern ("*" = one segment) -> bytes

    # the record (docs/audit.md): the Ed25519 key that signs the log's tree heads and checkpoints is a file, never
    # in the database (`gridgov audit keygen`); its public half is <key>.pub unless given here (ed25519:… or a file)
    audit_key_path: str | None = None
    audit_public_key: str | None = None
    audit_checkpoint_dir: str = "var/checkpoints"  # checkpoints outside the database: one file each, never rewritten
    audit_witness_url: str | None = None  # also append every checkpoint to this second database (a witness)
    audit_checkpoint_interval_seconds: int = Field(default=3600, ge=0)  # the worker's checkpoint; 0: never

    # where points are located (docs/geo.md): "shapely" (in process, the default; SQLite and PostgreSQL) or
    # "postgis" (the database: PostgreSQL with the postgis extension created before migrating); the in-process
    # pre-index raster's cell size in metres (0: none, every point asks the STRtree)
    geo_backend: Literal["shapely", "postgis"] = "shapely"
    geo_cell_m: float = Field(default=25.0, ge=0, le=10_000)

    # many processes (docs/operations.md#production): where background work runs — "inprocess" (threads of
    # `gridgov serve`), "procrastinate" (a job queue in PostgreSQL, run by `gridgov worker`; `gridgov serve` then
    # runs no background work), "auto" (procrastinate for production on PostgreSQL, else inprocess)
    job_queue: Literal["auto", "inprocess", "procrastinate"] = "auto"
    # rate limits and stream caps: "database" (a table every process shares) or "memory" (one process only)
    shared_state: Literal["database", "memory"] = "database"
    # live dashboard streams: "notify" (one LISTEN connection per process, PostgreSQL), "poll" (every
    # dashboard_poll_seconds), "auto" (notify on PostgreSQL, poll on SQLite)
    live_updates: Literal["auto", "notify", "poll"] = "auto"
    # case photos: "database" (case_photos.data) or "directory" (files under photo_dir, shared storage for
    # several web machines; the row keeps type, size and digest)
    photo_storage: Literal["database", "directory"] = "database"
    photo_dir: str = "var/photos"
    # `gridgov serve --workers`: web processes (uvicorn's worker model); whether `gridgov serve` runs the
    # in-process background work (in-process queue only; `--no-scheduler` turns it off)
    web_workers: int = Field(default=1, ge=1, le=64)
    serve_background: bool = True
    # intake group commit: concurrent intake requests in one process share a transaction (each answered only
    # after it commits); at most this many cases per transaction (1: one transaction per case)
    intake_group_max: int = Field(default=64, ge=1, le=1000)
    # 人大代表建议 / 政协提案 (docs/proposals.md): the time limits, counted from 交办 (assignment)
    proposals_return_days: int = Field(default=10, ge=1, le=60)  # a unit returns a misassigned item within
    proposals_views_months: int = Field(default=1, ge=1, le=6)  # co-handlers send their views within
    proposals_contact_working_days: int = Field(default=15, ge=1, le=60)  # 办前面商 (CPPCC proposals) within
    proposals_answer_months: int = Field(default=3, ge=1, le=12)  # the written answer within
    proposals_final_months: int = Field(default=6, ge=1, le=24)  # with an explanation: finished within
    proposals_rehandle_months: int = Field(default=1, ge=1, le=6)  # after 不满意: answered again within
    proposals_max_rehandles: int = Field(default=1, ge=0, le=5)  # how many times an 不满意 sends it back
    # 12345 operations (issue 17): working days the owning department has to answer a 知识库纠错 flag
    knowledge_flag_days: int = Field(default=3, ge=1, le=60)
    # 12345 operations (issue 17): working days the command centre has to decide a unit's appeal (申诉/甄别)
    appeal_days: int = Field(default=5, ge=1, le=60)
    # 12345 operations (issue 17): 转办. This instance's name in transfer documents (the sender or receiver), and
    # the targets a case may be transferred to (code → name; empty: transfers.domain.DEFAULT_TARGETS)
    instance_code: str = Field(default="gridgov", min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.:-]+$")
    transfer_targets: dict[str, str] = Field(default_factory=dict)
    # 12345 operations (issue 17): 重复来电. The window a caller's calls are looked at in, the calls in it that flag
    # 多次来电 (this one included), and the text similarity that proposes a 重复件 (callers.domain.RepeatPolicy)
    repeat_window_days: int = Field(default=30, ge=1, le=365)
    repeat_frequent_calls: int = Field(default=3, ge=2, le=100)
    repeat_similarity: float = Field(default=0.25, gt=0, le=1)

    # 督办/催办/回访 (issue 15, docs/supervision.md): a closed case is called back within this many working days;
    # the share of each category's closed cases that is called back (category code → 0..1, else the default)
    callback_due_working_days: int = Field(default=2, ge=1, le=30)
    callback_sample_default: float = Field(default=1.0, ge=0, le=1)
    callback_sample_rates: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(default_factory=dict)

    # notifications (docs/notify.md): rules and templates (default: the shipped ones), quiet hours for SMS
    # (Beijing time), the daily cap per recipient, retries; the channels' adapters and their gateways
    notify_enabled: bool = True
    notify_public_url: str | None = None  # base URL printed in messages (default: http://{host}:{port})
    notify_rules_dir: str | None = None  # a folder with rules.csv and templates.json
    notify_quiet_start: str = "22:00"
    notify_quiet_end: str = "08:00"
    notify_daily_cap: int = Field(default=20, ge=1)
    notify_max_attempts: int = Field(default=6, ge=1, le=50)
    notify_backoff_seconds: float = Field(default=30.0, gt=0)
    notify_batch: int = Field(default=200, ge=1, le=10_000)
    notify_lease_seconds: float = Field(default=60.0, gt=0)
    notify_receipt_token: str = ""  # gateways post delivery receipts with "Authorization: Bearer <this>"
    notify_concurrency: int = Field(default=4, ge=1, le=64)  # messages in flight at once, per worker
    notify_poll_seconds: float = Field(default=15.0, gt=0)  # the worker's look for retries and quiet-hour holds
    notify_digest_hour: int = Field(default=8, ge=0, le=23)  # followers' daily digest from this hour (Beijing)
    notify_sms: Literal["none", "http", "aliyun"] = "none"
    notify_sms_url: str = ""  # generic HTTP gateway (政务短信平台): POST here
    notify_sms_auth: str = ""  # its Authorization header, as is ("Bearer …", "Basic …")
    notify_sms_body: str = '{"mobile": "{phone}", "content": "{text}", "requestId": "{key}"}'
    notify_sms_content_type: str = "application/json"
    notify_sms_status_url: str = ""  # GET {url}?requestId=KEY: what the gateway knows of a message (optional)
    notify_aliyun_endpoint: str = "https://dysmsapi.aliyuncs.com/"
    notify_aliyun_access_key_id: str = ""
    notify_aliyun_access_key_secret: str = ""
    notify_aliyun_sign_name: str = ""
    notify_aliyun_template_code: str = ""  # a template with one ${content} variable
    notify_email: bool = False
    notify_smtp_host: str = "127.0.0.1"
    notify_smtp_port: int = Field(default=25, ge=1, le=65535)
    notify_smtp_from: str = "noreply@gridgov.local"
    notify_smtp_user: str = ""
    notify_smtp_password: str = ""
    notify_smtp_starttls: bool = False
    notify_wechat: bool = False
    notify_wechat_api: str = "https://api.weixin.qq.com"
    notify_wechat_appid: str = ""
    notify_wechat_secret: str = ""
    notify_wechat_template_id: str = ""
    notify_wechat_page: str = "pages/track/index"

    @property
    def queue_kind(self) -> str:
        if self.job_queue != "auto":
            return self.job_queue
        return "procrastinate" if self.environment == "production" and not self.is_sqlite else "inprocess"

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEFAULT_SECRET:
            raise ValueError("GRIDGOV_SECRET_KEY must be set outside development")
        total = self.weight_response + self.weight_resolution + self.weight_satisfaction
        if abs(total - 1.0) > 1e-6:
            raise ValueError("composite weights must add up to 1")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
