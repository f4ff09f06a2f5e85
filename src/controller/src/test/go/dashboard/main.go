// Command dashboard builds Bunting's Grafana dashboard (charts/bunting/dashboards/bunting.json) with Grafana's own
// model of dashboards, the Grafana Foundation SDK, and checks a JSON file against it.
//
//	dashboard                 print the dashboard JSON
//	dashboard -check FILE     FILE must decode strictly into the SDK's Dashboard (no unknown or mistyped field, every
//	                          panel and query of a known type), pass its validation, and equal what this program
//	                          prints (so the committed file is never edited by hand nor stale)
//
// Every panel's queries use only the dashboard's variables ($namespace, $canary, $gitsync) and Grafana's
// $__rate_interval and $__range; DashboardPanelQueriesClusterTest runs each of them against a real Prometheus.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/statetimeline"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

const (
	canarySel  = `namespace=~"$namespace",name=~"$canary"`
	gitSyncSel = `namespace=~"$namespace",name=~"$gitsync"`
)

var datasource = common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("${datasource}")}

func query(ref, expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().RefId(ref).Expr(expr).LegendFormat(legend).Datasource(datasource)
}

func instant(ref, expr string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().RefId(ref).Expr(expr).Instant().Format(prometheus.PromQueryFormatTable).
		Datasource(datasource)
}

func legend() *common.VizLegendOptionsBuilder {
	return common.NewVizLegendOptionsBuilder().DisplayMode(common.LegendDisplayModeList).
		Placement(common.LegendPlacementBottom).ShowLegend(true)
}

func graph(id uint32, title, description, unit string, w, h uint32, targets ...*prometheus.DataqueryBuilder) *timeseries.PanelBuilder {
	p := timeseries.NewPanelBuilder().Id(id).Title(title).Description(description).Unit(unit).Span(w).Height(h).
		Datasource(datasource).Legend(legend()).LineWidth(1).FillOpacity(10)
	for _, t := range targets {
		p.WithTarget(t)
	}
	return p
}

func mapping(text map[string]string, colors map[string]string) []dashboard.ValueMapping {
	options := map[string]dashboard.ValueMappingResult{}
	i := int32(0)
	for _, k := range sortedKeys(text) {
		options[k] = dashboard.ValueMappingResult{Text: cog.ToPtr(text[k]), Color: cog.ToPtr(colors[k]), Index: cog.ToPtr(i)}
		i++
	}
	return []dashboard.ValueMapping{{ValueMap: &dashboard.ValueMap{Type: dashboard.MappingTypeValueToText, Options: options}}}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// numeric strings of at most two digits: order by length, then text
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && (len(keys[j]) < len(keys[j-1]) || len(keys[j]) == len(keys[j-1]) && keys[j] < keys[j-1]); j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

func variable(name, label, definition string) *dashboard.QueryVariableBuilder {
	return dashboard.NewQueryVariableBuilder(name).Label(label).
		Query(dashboard.StringOrMap{Map: map[string]any{"query": definition, "refId": "PrometheusVariableQueryEditor-VariableQuery"}}).
		Definition(definition).Datasource(datasource).Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalAsc).Multi(true).IncludeAll(true).AllValue(".*").
		Current(dashboard.VariableOption{Text: dashboard.StringOrArrayOfString{String: cog.ToPtr("All")},
			Value: dashboard.StringOrArrayOfString{String: cog.ToPtr("$__all")}})
}

func build() (dashboard.Dashboard, error) {
	phases := map[string]string{"0": "New", "1": "Initializing", "2": "Initialized", "3": "Waiting", "4": "Progressing",
		"5": "WaitingPromotion", "6": "Promoting", "7": "Finalising", "8": "Succeeded", "9": "Failed",
		"10": "Terminating", "11": "Terminated"}
	phaseColors := map[string]string{"0": "text", "1": "blue", "2": "green", "3": "yellow", "4": "orange",
		"5": "yellow", "6": "purple", "7": "purple", "8": "green", "9": "red", "10": "text", "11": "text"}

	b := dashboard.NewDashboardBuilder("Bunting").
		Uid("bunting").
		Description("Canaries (Flagger's flagger_canary_* series and Bunting's), GitSyncs and the controller itself. " +
			"docs/dashboard.md describes every panel.").
		Tags([]string{"bunting", "flagger", "canary", "gitops"}).
		Refresh("30s").
		Time("now-3h", "now").
		Timezone(common.TimeZoneBrowser).
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		WithVariable(dashboard.NewDatasourceVariableBuilder("datasource").Label("Prometheus").Type("prometheus")).
		WithVariable(variable("namespace", "Namespace", `label_values(flagger_canary_total, namespace)`)).
		WithVariable(variable("canary", "Canary", `label_values(flagger_canary_status{namespace=~"$namespace"}, name)`)).
		WithVariable(variable("gitsync", "GitSync", `label_values(bunting_gitsync_ready{namespace=~"$namespace"}, name)`))

	// --- canaries
	b.WithRow(dashboard.NewRowBuilder("Canaries").Id(100))
	b.WithPanel(statetimeline.NewPanelBuilder().Id(1).Title("Phase").
		Description("Each canary's phase over time (bunting_canary_phase; Flagger's flagger_canary_status only tells " +
			"Progressing, Failed and the rest apart).").
		Span(24).Height(7).Datasource(datasource).Mappings(mapping(phases, phaseColors)).
		ShowValue(common.VisibilityModeAuto).MergeValues(true).RowHeight(0.8).
		Legend(legend().ShowLegend(false)).
		WithTarget(query("A", `bunting_canary_phase{`+canarySel+`}`, "{{namespace}}/{{name}}")))
	b.WithPanel(graph(2, "Canary weight",
		"Percentage of traffic the canary gets (flagger_canary_weight of the canary workload; the primary gets the rest).",
		"percent", 12, 8,
		query("A", `flagger_canary_weight{namespace=~"$namespace",workload=~"$canary"}`, "{{namespace}}/{{workload}}")).
		Min(0).Max(100))
	b.WithPanel(graph(3, "Failed checks vs threshold",
		"Failed checks of the running analysis (bunting_canary_failed_checks) and the count at which the canary is "+
			"rolled back (analysis.threshold, dashed).", "short", 12, 8,
		query("A", `bunting_canary_failed_checks{`+canarySel+`}`, "{{namespace}}/{{name}} failed checks"),
		query("B", `bunting_canary_failed_checks_threshold{`+canarySel+`}`, "{{namespace}}/{{name}} threshold")).
		Min(0).Decimals(0).
		OverrideByQuery("B", []dashboard.DynamicConfigValue{{Id: "custom.lineStyle", Value: map[string]any{"fill": "dash", "dash": []int{10, 10}}}}))
	b.WithPanel(graph(4, "Analysis metrics vs threshold range",
		"Last value of each analysis metric (flagger_canary_metric_analysis; request-duration in seconds) and the "+
			"bounds of its thresholdRange (bunting_canary_metric_threshold, dashed, same unit).", "short", 24, 9,
		query("A", `flagger_canary_metric_analysis{`+canarySel+`}`, "{{namespace}}/{{name}} {{metric}}"),
		query("B", `bunting_canary_metric_threshold{`+canarySel+`}`, "{{namespace}}/{{name}} {{metric}} {{bound}}")).
		OverrideByQuery("B", []dashboard.DynamicConfigValue{{Id: "custom.lineStyle", Value: map[string]any{"fill": "dash", "dash": []int{10, 10}}}}))
	b.WithPanel(graph(5, "Promotions and rollbacks",
		"Releases that ended, by result: succeeded (promoted) or failed (rolled back).", "short", 12, 8,
		query("A", `sum by (namespace, name, result) (increase(bunting_canary_rollout_duration_seconds_count{`+canarySel+`}[$__rate_interval]))`,
			"{{namespace}}/{{name}} {{result}}")).
		DrawStyle(common.GraphDrawStyleBars).Min(0).Decimals(0))
	b.WithPanel(bargauge.NewPanelBuilder().Id(6).Title("Rollout duration").
		Description("Average time from a new revision's detection to its promotion or rollback, per canary and "+
			"result, over the dashboard's time range (bunting_canary_rollout_duration_seconds).").
		Span(12).Height(8).Datasource(datasource).Unit("s").Orientation(common.VizOrientationHorizontal).
		ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"})).
		WithTarget(query("A", `sum by (namespace, name, result) (increase(bunting_canary_rollout_duration_seconds_sum{`+canarySel+`}[$__range])) / (sum by (namespace, name, result) (increase(bunting_canary_rollout_duration_seconds_count{`+canarySel+`}[$__range])) > 0)`,
			"{{namespace}}/{{name}} {{result}}").Instant()))
	b.WithPanel(graph(7, "Webhook errors",
		"Canary webhook calls that failed after their retries, by type (bunting_webhook_errors_total; rollback hooks "+
			"answer non-2xx to mean 'carry on' and are not counted).", "short", 12, 8,
		query("A", `sum by (namespace, name, type) (increase(bunting_webhook_errors_total{`+canarySel+`}[$__rate_interval]))`,
			"{{namespace}}/{{name}} {{type}}")).
		DrawStyle(common.GraphDrawStyleBars).Min(0))
	b.WithPanel(graph(8, "Metric query errors",
		"Analysis queries that failed (error) or returned nothing (no_data), per metric "+
			"(bunting_metric_provider_errors_total). Each is a failed check.", "short", 12, 8,
		query("A", `sum by (namespace, name, metric, reason) (increase(bunting_metric_provider_errors_total{`+canarySel+`}[$__rate_interval]))`,
			"{{namespace}}/{{name}} {{metric}} {{reason}}")).
		DrawStyle(common.GraphDrawStyleBars).Min(0))

	// --- GitSync
	b.WithRow(dashboard.NewRowBuilder("GitSync").Id(101))
	b.WithPanel(table.NewPanelBuilder().Id(9).Title("GitSync revision").
		Description("The revision each GitSync applied last (bunting_gitsync_revision_info) and whether it is Ready.").
		Span(12).Height(8).Datasource(datasource).
		Footer(common.NewTableFooterOptionsBuilder().Show(false).Reducer([]string{"lastNotNull"})).
		WithTarget(instant("A", `bunting_gitsync_revision_info{`+gitSyncSel+`}`)).
		WithTarget(instant("B", `bunting_gitsync_ready{`+gitSyncSel+`}`)).
		WithTransformation(dashboard.DataTransformerConfig{Id: "merge", Options: map[string]any{}}).
		WithTransformation(dashboard.DataTransformerConfig{Id: "organize", Options: map[string]any{
			"excludeByName": map[string]any{"Time": true, "Value #A": true, "__name__": true, "job": true, "instance": true},
			"renameByName":  map[string]any{"Value #B": "ready"},
		}}))
	b.WithPanel(graph(10, "Time since the last applied revision",
		"Seconds since each GitSync last applied its revision and found it healthy "+
			"(bunting_gitsync_last_applied_revision_timestamp_seconds). It grows while a GitSync is stalled.", "s", 12, 8,
		query("A", `time() - bunting_gitsync_last_applied_revision_timestamp_seconds{`+gitSyncSel+`}`, "{{namespace}}/{{name}}")))
	b.WithPanel(graph(11, "Sync duration (p90)",
		"90th percentile of one sync's duration (ls-remote, fetch, render, dry run, apply, prune), by GitSync "+
			"(bunting_gitsync_sync_duration_seconds).", "s", 8, 8,
		query("A", `histogram_quantile(0.9, sum by (le, namespace, name) (rate(bunting_gitsync_sync_duration_seconds_bucket{`+gitSyncSel+`}[$__rate_interval])))`,
			"{{namespace}}/{{name}}")))
	b.WithPanel(graph(12, "Sync failures",
		"Failed syncs by condition reason (bunting_gitsync_errors_total).", "short", 8, 8,
		query("A", `sum by (namespace, name, reason) (increase(bunting_gitsync_errors_total{`+gitSyncSel+`}[$__rate_interval]))`,
			"{{namespace}}/{{name}} {{reason}}")).
		DrawStyle(common.GraphDrawStyleBars).Min(0))
	b.WithPanel(graph(13, "Objects applied and pruned",
		"Objects each GitSync created, configured (changed) and pruned; unchanged objects are not written "+
			"(bunting_gitsync_objects_applied_total, bunting_gitsync_objects_pruned_total).", "short", 8, 8,
		query("A", `sum by (namespace, name, action) (increase(bunting_gitsync_objects_applied_total{`+gitSyncSel+`}[$__rate_interval]))`,
			"{{namespace}}/{{name}} {{action}}"),
		query("B", `sum by (namespace, name) (increase(bunting_gitsync_objects_pruned_total{`+gitSyncSel+`}[$__rate_interval]))`,
			"{{namespace}}/{{name}} pruned")).
		DrawStyle(common.GraphDrawStyleBars).Min(0))

	// --- the controller
	b.WithRow(dashboard.NewRowBuilder("Controller").Id(102))
	b.WithPanel(statetimeline.NewPanelBuilder().Id(14).Title("Acting instances").
		Description("Per instance and shard selector: 1 when it acts (holds the leader Lease, or runs without "+
			"leader election), 0 for a standby (bunting_leader).").
		Span(8).Height(8).Datasource(datasource).
		Mappings(mapping(map[string]string{"0": "standby", "1": "acting"}, map[string]string{"0": "blue", "1": "green"})).
		Legend(legend().ShowLegend(false)).
		WithTarget(query("A", `bunting_leader`, `{{instance}} {{selector}}`)))
	b.WithPanel(graph(15, "Work queue depth",
		"Keys waiting in each engine's work queue and reconciles running (bunting_workqueue_depth, "+
			"bunting_workqueue_running). A standby's queue holds the keys it starts with when it takes over.",
		"short", 8, 8,
		query("A", `bunting_workqueue_depth`, "{{instance}} {{queue}} waiting"),
		query("B", `bunting_workqueue_running`, "{{instance}} {{queue}} running")).Min(0))
	b.WithPanel(graph(16, "Work queue wait (p90)",
		"90th percentile of the time a ready key waits for a reconcile slot (bunting_workqueue_wait_seconds).",
		"s", 8, 8,
		query("A", `histogram_quantile(0.9, sum by (le, queue) (rate(bunting_workqueue_wait_seconds_bucket[$__rate_interval])))`,
			"{{queue}}")))
	b.WithPanel(graph(17, "Reconcile duration (p90)",
		"90th percentile of one reconcile's duration, by kind (bunting_reconcile_duration_seconds).", "s", 8, 8,
		query("A", `histogram_quantile(0.9, sum by (le, kind) (rate(bunting_reconcile_duration_seconds_bucket[$__rate_interval])))`,
			"{{kind}}")))
	b.WithPanel(graph(18, "Reconcile errors",
		"Reconciles that failed and were retried with backoff, per second, by kind.", "reqps", 8, 8,
		query("A", `sum by (kind) (rate(bunting_reconcile_duration_seconds_count{result="error"}[$__rate_interval]))`,
			"{{kind}}")).Min(0))
	b.WithPanel(graph(19, "Analysis tick lateness",
		"How late canary analysis ticks start against their schedule (bunting_canary_tick_lateness_seconds); "+
			"should stay near zero.", "s", 8, 8,
		query("A", `histogram_quantile(0.5, sum by (le) (rate(bunting_canary_tick_lateness_seconds_bucket[$__rate_interval])))`, "p50"),
		query("B", `histogram_quantile(0.99, sum by (le) (rate(bunting_canary_tick_lateness_seconds_bucket[$__rate_interval])))`, "p99")))
	b.WithPanel(graph(20, "Kubernetes API requests by verb",
		"Requests the controller sends to the API server, per second (bunting_kube_api_requests_total). An idle "+
			"fleet sends almost none: everything is read from watch caches.", "reqps", 8, 8,
		query("A", `sum by (verb) (rate(bunting_kube_api_requests_total[$__rate_interval]))`, "{{verb}}")).Min(0))
	b.WithPanel(graph(21, "Webhook latency (p90)",
		"90th percentile of one webhook call, retries included, by type (bunting_webhook_duration_seconds).",
		"s", 8, 8,
		query("A", `histogram_quantile(0.9, sum by (le, type) (rate(bunting_webhook_duration_seconds_bucket[$__rate_interval])))`,
			"{{type}}")))
	b.WithPanel(graph(22, "Metric query latency (p90)",
		"90th percentile of one analysis query, by metric provider (bunting_metric_provider_duration_seconds).",
		"s", 8, 8,
		query("A", `histogram_quantile(0.9, sum by (le, provider) (rate(bunting_metric_provider_duration_seconds_bucket[$__rate_interval])))`,
			"{{provider}}")))
	return b.Build()
}

func render() ([]byte, error) {
	d, err := build()
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func check(file string, want []byte) error {
	got, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	plugins.RegisterDefaultPlugins()
	var d dashboard.Dashboard
	if err := errOrNil(d.UnmarshalJSONStrict(got)); err != nil {
		return fmt.Errorf("%s is not a Grafana dashboard: %w", file, err)
	}
	if err := errOrNil(d.Validate()); err != nil {
		return fmt.Errorf("%s does not pass the dashboard model's validation: %w", file, err)
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%s differs from what src/controller/src/test/go/dashboard generates: run "+
			"src/controller/src/test/go/dashboard/run and commit the result (never edit the JSON by hand)", file)
	}
	return nil
}

// errOrNil turns the SDK's empty cog.BuildErrors (returned as a non-nil error) into nil.
func errOrNil(err error) error {
	if errs, ok := err.(cog.BuildErrors); ok && len(errs) == 0 {
		return nil
	}
	return err
}

func main() {
	checkFile := flag.String("check", "", "check this dashboard JSON file instead of printing one")
	flag.Parse()
	out, err := render()
	if err != nil {
		fmt.Fprintln(os.Stderr, "dashboard:", err)
		os.Exit(1)
	}
	if *checkFile != "" {
		if err := check(*checkFile, out); err != nil {
			fmt.Fprintln(os.Stderr, "dashboard:", err)
			os.Exit(1)
		}
		fmt.Println("ok:", *checkFile)
		return
	}
	os.Stdout.Write(out)
}
