package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/otpd/otpd/client"
)

// rssEvery is how often the server's memory is sampled under load.
const rssEvery = 100 * time.Millisecond

// maxCreators bounds the flows that create accounts at once.
const maxCreators = 32

// load makes the accounts, runs the plan and sums it up.
func load(ctx context.Context, o options, progress io.Writer) (result, error) {
	rec := newRecorder()
	api := &client.Client{BaseURL: o.target.String(),
		HTTP: &http.Client{Transport: newTransport(o.connections, o.timeout), Timeout: o.timeout}}
	r := &runner{api: api, rec: rec, timeout: o.timeout, floor: o.floor}
	switch {
	case o.smtpSink != "":
		s, err := startSink(o.smtpSink, rec)
		if err != nil {
			return result{}, err
		}
		defer s.stop()
		r.codes = s
	case !o.floor:
		r.codes = &mailbox{api: api, rec: rec}
	}
	var idle memory
	if o.serverPID != 0 {
		var err error
		if idle, err = readMemory(o.serverPID); err != nil {
			return result{}, err
		}
	}
	accounts := newPool(o.accounts)
	if o.accounts > 0 {
		fmt.Fprintf(progress, "otpd-load: signing up %d accounts first\n", o.accounts)
		if err := accounts.create(ctx, r, min(o.accounts, maxCreators)); err != nil {
			return result{}, err
		}
		rec.reset()
	}
	sampler := &rssSampler{pid: o.serverPID}
	sampling, stopSampling := context.WithCancel(ctx)
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		if o.serverPID != 0 {
			sampler.run(sampling, rssEvery)
		}
	}()
	var elapsed time.Duration
	if o.plan.rate > 0 {
		elapsed = r.openLoop(ctx, o.plan, accounts)
	} else {
		elapsed = r.closedLoop(ctx, o.plan, accounts)
	}
	stopSampling()
	<-sampled
	res := summarize(o, rec, elapsed)
	if o.serverPID != 0 {
		if err := addMemory(&res, o.serverPID, idle, sampler); err != nil {
			return res, err
		}
	}
	return res, nil
}

func summarize(o options, rec *recorder, elapsed time.Duration) result {
	sum := rec.summary()
	res := result{Target: o.target.String(), Server: "otpd", Loop: o.plan.loop(), Flows: sum.flows,
		Seconds: elapsed.Seconds(), FlowsPerSec: float64(sum.flows) / elapsed.Seconds(),
		ErrorsByKind: sum.errors, PerStep: sum.steps, MailboxPolls: sum.polls, SinkMessages: sum.messages}
	if o.floor {
		res.Server = "floor"
	}
	f := sum.steps[stepFlow]
	res.P50, res.P95, res.P99 = f.P50, f.P95, f.P99
	for _, n := range sum.errors {
		res.Errors += n
	}
	return res
}

func addMemory(res *result, pid int, idle memory, s *rssSampler) error {
	peak, err := s.result()
	if err != nil {
		return err
	}
	last, err := readMemory(pid)
	if err != nil {
		return err
	}
	peak = max(peak, last.RSS)
	// The kernel moves VmHWM forward lazily; a sampled VmRSS may be newer.
	hwm := max(last.HWM, peak)
	res.ServerIdleRSS, res.ServerRSS, res.ServerHWM = &idle.RSS, &peak, &hwm
	return nil
}
