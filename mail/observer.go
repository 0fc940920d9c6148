package mail

// Observer hears what became of each message the Worker tried to deliver,
// for metrics. It is called from the Worker's sending goroutines, so an
// implementation must be safe for concurrent use and quick.
type Observer interface {
	Delivered(Result)
}

// Result is what one delivery attempt came to.
type Result string

const (
	// ResultSent: the Mailer took the message.
	ResultSent Result = "sent"
	// ResultRetry: sending failed for now; the message is due again
	// later.
	ResultRetry Result = "retry"
	// ResultFailed: the message ended failed, refused for good by the
	// relay (otpd.PermanentError) or impossible to compose.
	ResultFailed Result = "failed"
	// ResultUndeliverable: the message's code expired before it could
	// be sent.
	ResultUndeliverable Result = "undeliverable"
)

// Results are every Result.
var Results = []Result{ResultSent, ResultRetry, ResultFailed, ResultUndeliverable}

func (w *Worker) observe(r Result) {
	if w.Observer != nil {
		w.Observer.Delivered(r)
	}
}
