package pages

// StepUpReturns lets the routes' test check every page a step-up may
// lead back to.
var StepUpReturns = stepUpReturns
