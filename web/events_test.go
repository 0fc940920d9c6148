package web

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/otpd/otpd"
)

// Every event type the API documents has plain words on the account page,
// and the page has words for no type the API leaves out: the two lists
// are kept in step by hand, so this catches one left behind.
func TestEventTitlesMatchOpenAPI(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas struct {
				Event struct {
					Properties struct {
						Type struct {
							Enum []otpd.EventType `json:"enum"`
						} `json:"type"`
					} `json:"properties"`
				} `json:"Event"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	documented := doc.Components.Schemas.Event.Properties.Type.Enum
	for _, typ := range documented {
		if eventTitles[typ] == "" {
			t.Errorf("event type %s has no title", typ)
		}
	}
	for typ := range eventTitles {
		if !slices.Contains(documented, typ) {
			t.Errorf("event type %s is not in the OpenAPI enum", typ)
		}
	}
}
