"""The domain model of ../shared/domain.md, one module per area."""
from .accounts import PasswordReset, RecoveryCode, UserSession  # noqa: F401
from .audit import AuditEvent, change_status, record  # noqa: F401
from .bank import BankAccount, BankAccountStatus  # noqa: F401
from .base import IllegalTransition, utcnow  # noqa: F401
from .beneficiaries import (  # noqa: F401
    BeneficiaryRequest,
    BookletAssignment,
    PriorityPublic,
    RequestPublic,
    RequestStatus,
)
from .claims import Claim, ClaimLine, ClaimStatus, LineKind, LineStatus  # noqa: F401
from .counters import Counter  # noqa: F401
from .jobs import Job, JobStatus  # noqa: F401
from .notifications import Notification  # noqa: F401
from .payments import BatchStatus, Payment, PaymentBatch  # noqa: F401
from .people import (  # noqa: F401
    Invitation,
    Partner,
    PartnerStatus,
    ReceptionPoint,
    ReceptionPointKind,
    STAFF_ROLES,
    Role,
    User,
)
from .rate_limits import RateLimitCounter  # noqa: F401
from .vouchers import BOOKLET_SIZE, Booklet, BookletStatus, Campaign, Ticket, TicketStatus  # noqa: F401
from .workshops import FailedScan, Redemption, Workshop  # noqa: F401
