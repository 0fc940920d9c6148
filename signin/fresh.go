package signin

// FreshCode reports whether the caller's session verified a code within
// Policy.StepUpFor: a step-up, or the code it was signed in with (a
// session a password alone started has none). An app behind forward
// auth may ask for one before each visit past that window.
func (e *Engine) FreshCode(c Caller) bool {
	s := c.session
	if s.ID == "" {
		return false
	}
	return e.SteppedUp(c) || s.FlowID != "" && e.now().Sub(s.CreatedAt) < e.policy.StepUpFor
}
