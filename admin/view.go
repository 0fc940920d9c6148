package admin

import (
	"context"
	"fmt"
	"time"

	"github.com/otpd/otpd"
)

// Summary is what an operator sees of an account: the command line's
// --json and the admin API answer with it.
type Summary struct {
	ID            string     `json:"id"`
	Email         string     `json:"email"`
	State         string     `json:"state"`
	CreatedAt     time.Time  `json:"created_at"`
	DisabledAt    *time.Time `json:"disabled_at,omitempty"`
	PasswordSet   bool       `json:"password_set"`
	RecoveryEmail string     `json:"recovery_email,omitempty"`
	LastSignInAt  *time.Time `json:"last_sign_in_at,omitempty"`
	GuardedUntil  *time.Time `json:"guarded_until,omitempty"`
}

// Summarize is an account's Summary.
func Summarize(a otpd.Account) Summary {
	s := Summary{ID: a.ID, Email: a.Email.String(), State: string(otpd.StateActive), CreatedAt: a.CreatedAt,
		DisabledAt: timePtr(a.DisabledAt), PasswordSet: a.HasPassword(), LastSignInAt: timePtr(a.LastSignInAt),
		GuardedUntil: timePtr(a.GuardUntil)}
	if a.Disabled() {
		s.State = string(otpd.StateDisabled)
	}
	if !a.RecoveryEmail.IsZero() {
		s.RecoveryEmail = a.RecoveryEmail.String()
	}
	return s
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Export is every datum kept about one account, as one JSON document: a
// person's right of access. It holds no code, MAC, hash, secret or token
// (session tokens, device cookies, flow IDs and app tokens are
// credentials, not data about the person); "password_set" says whether
// there is a password, never what.
type Export struct {
	ExportedAt   time.Time          `json:"exported_at"`
	Account      Summary            `json:"account"`
	Settings     ExportSettings     `json:"settings"`
	Countries    []string           `json:"countries"`
	LastPlace    string             `json:"last_sign_in_place,omitempty"`
	Addresses    []ExportAddress    `json:"address_changes"`
	Sessions     []ExportSession    `json:"sessions"`
	Devices      []ExportDevice     `json:"devices"`
	Events       []ExportEvent      `json:"events"`
	CodeRequests []ExportCode       `json:"code_requests"`
	Messages     []ExportMessage    `json:"messages"`
	Apps         []ExportApp        `json:"apps"`
	Methods      []ExportMethod     `json:"sign_in_methods"`
	Campaigns    []ExportCampaign   `json:"campaigns"`
	Lockouts     []ExportGuardState `json:"lockouts"`
}

// ExportMethod is a sign-in method the account added: its kind and
// dates, and for recovery codes how many are left; never its secret or
// its codes.
type ExportMethod struct {
	Kind       string     `json:"kind"`
	AddedAt    time.Time  `json:"added_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	CodesLeft  *int       `json:"codes_left,omitempty"`
}

// ExportSettings are the owner's sign-in preferences.
type ExportSettings struct {
	CodeSignInOff bool `json:"code_sign_in_off"`
}

// ExportAddress is one change of the sign-in address.
type ExportAddress struct {
	Old       string     `json:"old_email"`
	New       string     `json:"new_email"`
	ChangedAt time.Time  `json:"changed_at"`
	UndoneAt  *time.Time `json:"undone_at,omitempty"`
}

// ExportSession is a session, ended or not, without its token.
type ExportSession struct {
	CreatedAt   time.Time  `json:"created_at"`
	LastSeenAt  time.Time  `json:"last_seen_at"`
	ExpiresAt   time.Time  `json:"expires_at"`
	EndedAt     *time.Time `json:"ended_at,omitempty"`
	IP          string     `json:"ip"`
	UserAgent   string     `json:"user_agent"`
	Place       string     `json:"place,omitempty"`
	SteppedUpAt *time.Time `json:"stepped_up_at,omitempty"`
}

// ExportDevice is a remembered device, without the ID its cookie names.
type ExportDevice struct {
	Name      string    `json:"name"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	LastIP    string    `json:"last_ip"`
	LastPlace string    `json:"last_place,omitempty"`
}

// ExportEvent is one entry of the account's security record, by its
// typed fields.
type ExportEvent struct {
	Type      otpd.EventType `json:"type"`
	At        time.Time      `json:"at"`
	Email     string         `json:"email,omitempty"`
	IP        string         `json:"ip,omitempty"`
	UserAgent string         `json:"user_agent,omitempty"`
	Place     string         `json:"place,omitempty"`
	Purpose   otpd.Purpose   `json:"purpose,omitempty"`
	Resend    bool           `json:"resend,omitempty"`
	Reason    otpd.Reason    `json:"reason,omitempty"`
	Concerns  string         `json:"concerns,omitempty"`
}

// ExportCode is a code asked for the account or its address, without the
// code or its MAC.
type ExportCode struct {
	Purpose   otpd.Purpose         `json:"purpose"`
	Email     string               `json:"email"`
	Status    otpd.ChallengeStatus `json:"status"`
	CreatedAt time.Time            `json:"created_at"`
	ExpiresAt time.Time            `json:"expires_at"`
	Attempts  int                  `json:"attempts"`
	IP        string               `json:"ip"`
	UserAgent string               `json:"user_agent"`
}

// ExportMessage is a message sent or queued to the account, without what
// it carried.
type ExportMessage struct {
	Kind       otpd.MessageKind  `json:"kind"`
	To         string            `json:"to"`
	State      otpd.MessageState `json:"state"`
	CreatedAt  time.Time         `json:"created_at"`
	FinishedAt *time.Time        `json:"finished_at,omitempty"`
}

// ExportApp is an app the owner let sign them in.
type ExportApp struct {
	ClientID   string     `json:"client_id"`
	Scopes     []string   `json:"scopes"`
	GrantedAt  time.Time  `json:"granted_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// ExportCampaign is an attack the account was under.
type ExportCampaign struct {
	StartedAt time.Time `json:"started_at"`
	LastAt    time.Time `json:"last_at"`
	Until     time.Time `json:"until"`
	Requests  int       `json:"requests"`
	Places    []string  `json:"places"`
}

// ExportGuardState is the failures counted against the address in one
// context.
type ExportGuardState struct {
	Context     string     `json:"context"`
	Failures    int        `json:"failures"`
	WindowStart time.Time  `json:"window_start"`
	LockedUntil *time.Time `json:"locked_until,omitempty"`
}

// Export returns everything kept about an account and records, for its
// owner to see, that it was exported.
func (s *Service) Export(ctx context.Context, o Operator, ref string) (Export, error) {
	if err := may(o, otpd.ScopeAdminRead); err != nil {
		return Export{}, err
	}
	acct, err := s.find(ctx, ref)
	if err != nil {
		return Export{}, err
	}
	ev := s.event(acct, otpd.EventAccountExported)
	if err := s.store.RecordEvent(ctx, ev); err != nil {
		return Export{}, fmt.Errorf("admin: export: %w", err)
	}
	d, err := s.store.AccountData(ctx, acct.ID)
	if err != nil {
		return Export{}, fmt.Errorf("admin: export: %w", err)
	}
	s.log.Info("admin: account exported", "account", acct.ID, "by", o.Name())
	return exportOf(d, ev.At), nil
}

func exportOf(d otpd.AccountData, at time.Time) Export {
	a := d.Account
	x := Export{ExportedAt: at, Account: Summarize(a), Settings: ExportSettings{CodeSignInOff: a.CodeSignInOff},
		Countries: orEmpty(a.Countries), LastPlace: a.LastPlace.String(),
		Addresses: []ExportAddress{}, Sessions: []ExportSession{}, Devices: []ExportDevice{}, Events: []ExportEvent{},
		CodeRequests: []ExportCode{}, Messages: []ExportMessage{}, Apps: []ExportApp{}, Methods: []ExportMethod{}, Campaigns: []ExportCampaign{},
		Lockouts: []ExportGuardState{}}
	for _, c := range d.EmailChanges {
		x.Addresses = append(x.Addresses, ExportAddress{Old: c.Old.String(), New: c.New.String(), ChangedAt: c.ChangedAt, UndoneAt: timePtr(c.UndoneAt)})
	}
	for _, s := range d.Sessions {
		x.Sessions = append(x.Sessions, ExportSession{CreatedAt: s.CreatedAt, LastSeenAt: s.LastSeenAt, ExpiresAt: s.ExpiresAt,
			EndedAt: timePtr(s.EndedAt), IP: s.IP, UserAgent: s.UserAgent, Place: s.Place, SteppedUpAt: timePtr(s.SteppedUpAt)})
	}
	for _, dv := range d.Devices {
		x.Devices = append(x.Devices, ExportDevice{Name: dv.Name, FirstSeen: dv.FirstSeen, LastSeen: dv.LastSeen,
			LastIP: dv.LastIP, LastPlace: dv.LastPlace.String()})
	}
	for _, e := range d.Events {
		x.Events = append(x.Events, ExportEvent{Type: e.Type, At: e.At, Email: e.Email.String(), IP: e.IP, UserAgent: e.UserAgent,
			Place: e.Place, Purpose: e.Purpose, Resend: e.Resend, Reason: e.Reason, Concerns: e.Concerns})
	}
	for _, c := range d.Challenges {
		x.CodeRequests = append(x.CodeRequests, ExportCode{Purpose: c.Purpose, Email: c.Email.String(), Status: c.Status,
			CreatedAt: c.CreatedAt, ExpiresAt: c.ExpiresAt, Attempts: c.Attempts, IP: c.IP, UserAgent: c.UserAgent})
	}
	for _, m := range d.Messages {
		x.Messages = append(x.Messages, ExportMessage{Kind: m.Kind, To: m.To.String(), State: m.State, CreatedAt: m.CreatedAt,
			FinishedAt: timePtr(m.FinishedAt)})
	}
	for _, g := range d.Grants {
		x.Apps = append(x.Apps, ExportApp{ClientID: g.ClientID, Scopes: orEmpty(g.Scopes), GrantedAt: g.GrantedAt, LastUsedAt: timePtr(g.LastUsedAt)})
	}
	for _, m := range d.Methods {
		e := ExportMethod{Kind: string(m.Kind), AddedAt: m.CreatedAt, LastUsedAt: timePtr(m.LastUsedAt)}
		if m.Kind == otpd.MethodRecoveryCodes {
			e.CodesLeft = &m.CodesLeft
		}
		x.Methods = append(x.Methods, e)
	}
	for _, c := range d.Campaigns {
		x.Campaigns = append(x.Campaigns, ExportCampaign{StartedAt: c.StartedAt, LastAt: c.LastAt, Until: c.Until, Requests: c.Requests,
			Places: orEmpty(c.Places)})
	}
	for _, g := range d.Guards {
		x.Lockouts = append(x.Lockouts, ExportGuardState{Context: g.Key, Failures: g.Wrong, WindowStart: g.WindowStart,
			LockedUntil: timePtr(g.LockedUntil)})
	}
	return x
}

func orEmpty(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
