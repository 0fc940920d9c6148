package pages

import (
	"strconv"
	"testing"
	"text/template/parse"

	"github.com/otpd/otpd/catalog"
)

// Every key a template names, in every branch whether a test takes it
// or not, is in the catalogue.
func TestTemplatesNameOnlyKnownKeys(t *testing.T) {
	cat := catalog.MustLoad()
	tmpl := parseTemplates(cat)[catalog.Source]
	n := 0
	for _, tp := range tmpl.Templates() {
		if tp.Tree == nil {
			continue
		}
		walk(tp.Tree.Root, func(key string) {
			n++
			if cat.Message(catalog.Source, key) == nil {
				t.Errorf("%s names %q, which the catalogue lacks", tp.Name(), key)
			}
		})
	}
	if n < 100 {
		t.Errorf("found only %d keys in the templates", n)
	}
}

// walk calls found with the key of each t, th, tn and thn call under n.
func walk(n parse.Node, found func(string)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walk(c, found)
		}
	case *parse.ActionNode:
		walk(n.Pipe, found)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walk(c, found)
		}
	case *parse.CommandNode:
		if len(n.Args) > 1 {
			if id, ok := n.Args[0].(*parse.IdentifierNode); ok {
				switch id.Ident {
				case "t", "th", "tn", "thn":
					if s, ok := n.Args[1].(*parse.StringNode); ok {
						key, _ := strconv.Unquote(s.Quoted)
						found(key)
					}
				}
			}
		}
		for _, a := range n.Args {
			walk(a, found)
		}
	case *parse.IfNode:
		walk(n.Pipe, found)
		walk(n.List, found)
		walk(n.ElseList, found)
	case *parse.RangeNode:
		walk(n.Pipe, found)
		walk(n.List, found)
		walk(n.ElseList, found)
	case *parse.WithNode:
		walk(n.Pipe, found)
		walk(n.List, found)
		walk(n.ElseList, found)
	case *parse.TemplateNode:
		walk(n.Pipe, found)
	}
}
