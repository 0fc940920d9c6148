package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/config"
)

// forgerySummary is what otpd inspect --reports prints.
type forgerySummary struct {
	Reports        int         `json:"reports"`
	First          *time.Time  `json:"first,omitempty"`
	Last           *time.Time  `json:"last,omitempty"`
	FromDomains    []nameCount `json:"from_domains"`
	SigningDomains []nameCount `json:"signing_domains"`
	LinkHosts      []nameCount `json:"link_hosts"`
	Received       []nameCount `json:"received"`
	// Unreadable counts reports sealed under another secret.
	Unreadable int `json:"unreadable,omitempty"`
}

type nameCount struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

func forgeryReports(ctx context.Context, cfg config.Config, asJSON bool, w io.Writer) error {
	book, store, err := openRecords(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	sealed, err := store.Forgeries(ctx, 0)
	if err != nil {
		return err
	}
	var fs []otpd.Forgery
	unreadable := 0
	for _, s := range sealed {
		var f otpd.Forgery
		b, err := book.OpenReport(s)
		if err == nil {
			err = json.Unmarshal(b, &f)
		}
		if err != nil {
			unreadable++
			continue
		}
		fs = append(fs, f)
	}
	sum := summarize(fs)
	sum.Unreadable = unreadable
	if asJSON {
		return writeJSON(w, sum)
	}
	printForgeries(w, sum)
	return nil
}

// summarize counts the reports' domains and hosts; each report counts a
// name once.
func summarize(fs []otpd.Forgery) forgerySummary {
	sum := forgerySummary{Reports: len(fs)}
	from, signing, links, received := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	for _, f := range fs {
		at := f.At.UTC()
		if sum.First == nil || at.Before(*sum.First) {
			sum.First = &at
		}
		if sum.Last == nil || at.After(*sum.Last) {
			sum.Last = &at
		}
		countOnce(from, []string{or(f.FromDomain, "(none)")})
		countOnce(signing, f.SigningDomains)
		countOnce(links, f.LinkHosts)
		countOnce(received, f.Received)
	}
	sum.FromDomains, sum.SigningDomains, sum.LinkHosts, sum.Received = ranked(from), ranked(signing), ranked(links), ranked(received)
	return sum
}

func countOnce(m map[string]int, names []string) {
	seen := map[string]bool{}
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			m[n]++
		}
	}
}

// ranked lists counts most first, then by name.
func ranked(m map[string]int) []nameCount {
	out := []nameCount{}
	for n, c := range m {
		out = append(out, nameCount{n, c})
	}
	slices.SortFunc(out, func(a, b nameCount) int { return cmp.Or(b.Count-a.Count, strings.Compare(a.Name, b.Name)) })
	return out
}

func printForgeries(w io.Writer, s forgerySummary) {
	if s.Reports == 0 {
		fmt.Fprintln(w, "No forgery reports.")
	} else {
		fmt.Fprintf(w, "%d forgery reports, from %s to %s.\n", s.Reports,
			s.First.Format(time.RFC3339), s.Last.Format(time.RFC3339))
	}
	if s.Unreadable > 0 {
		fmt.Fprintf(w, "%d more are sealed under another server secret and cannot be read.\n", s.Unreadable)
	}
	for _, l := range []struct {
		title string
		list  []nameCount
	}{{"Claimed sender domains", s.FromDomains}, {"Signed by", s.SigningDomains},
		{"Links lead to", s.LinkHosts}, {"Came through", s.Received}} {
		if len(l.list) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s:\n", l.title)
		for _, nc := range l.list {
			fmt.Fprintf(w, "  %5d  %s\n", nc.Count, nc.Name)
		}
	}
}
