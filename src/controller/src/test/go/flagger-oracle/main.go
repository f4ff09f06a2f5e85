// Command flagger-oracle runs Flagger's own routers (github.com/fluxcd/flagger v1.44.0, pkg/router) against fake
// clientsets, the way Flagger's unit tests do, and writes every object they leave behind after each step as JSON.
// Bunting's router tests compare the objects Bunting builds with this output, field by field: "what Flagger writes
// for the same Canary" comes from Flagger itself, not from reading its code.
//
// Input (stdin): a JSON array of cases
//
//	{"name": "...", "provider": "istio", "labelSelector": "app",
//	 "ingressAnnotationsPrefix": "nginx.ingress.kubernetes.io", "ingressClass": "",
//	 "canary": {Canary}, "objects": [objects present before the first step],
//	 "steps": [{"op": "reconcile"} | {"op": "setRoutes", "primary": 90, "canary": 10, "mirrored": false}
//	           | {"op": "getRoutes"} | {"op": "finalize"} | {"op": "setCanary", "object": {Canary}}
//	           | {"op": "setObject", "object": {object}}
//	           | {"op": "initialize"} | {"op": "promote"} | {"op": "scaleToZero"} | {"op": "scaleFromZero"}
//	           | {"op": "patch", "kind": "serving.knative.dev/v1/Service", "namespace": "default", "name": "podinfo",
//	              "patch": {JSON merge patch, status included}}],
//	 "dump": ["networking.istio.io/v1beta1/VirtualService", ...], "dumpStatus": false}
//
// "initialize", "promote", "scaleToZero" and "scaleFromZero" run Flagger's canary controller of the target's kind
// (pkg/canary: Deployment, DaemonSet, Service, Knative Service; config tracking off), so the workload objects
// Flagger writes (primary clones, the DaemonSet scale-to-zero node selector, the Knative primary-revision annotation)
// can be compared too. "includeLabelPrefix" is Flagger's -include-label-prefix (default: none, as Flagger's flag).
//
// "patch" changes a seeded object as another controller would between two steps (e.g. Knative creating a revision
// and reporting it in status, or Flagger's canary controller moving the primary-revision annotation at promotion).
//
// "reconcile" runs the Kubernetes default router (the three Services, for Deployment and DaemonSet targets) and then
// the mesh router, as Flagger's scheduler does. Output (stdout): for each case, for each step, its error, the routes
// GetRoutes returned, and every object of the dumped kinds, sorted by kind, namespace and name, without the fields the
// fake tracker makes up (resourceVersion, creationTimestamp) and without status (routers write specs and metadata).
// With "dumpStatus", each step also records the Canary's status as the router left it in memory (Flagger's session
// affinity keeps its cookies there; the scheduler's next status write persists them). Cookie values a router made up
// at random are replaced everywhere in the case's output by "random1", "random2", ... in order of appearance, so the
// output is the same on every run.
//
// Regenerate the expected files from src/controller: src/test/go/flagger-oracle/run
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"go.uber.org/zap"
	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	kubefake "k8s.io/client-go/kubernetes/fake"
	kubescheme "k8s.io/client-go/kubernetes/scheme"
	k8stesting "k8s.io/client-go/testing"
	knativefake "knative.dev/serving/pkg/client/clientset/versioned/fake"
	knativescheme "knative.dev/serving/pkg/client/clientset/versioned/scheme"

	flaggerv1 "github.com/fluxcd/flagger/pkg/apis/flagger/v1beta1"
	flaggercanary "github.com/fluxcd/flagger/pkg/canary"
	flaggerfake "github.com/fluxcd/flagger/pkg/client/clientset/versioned/fake"
	flaggerscheme "github.com/fluxcd/flagger/pkg/client/clientset/versioned/scheme"
	"github.com/fluxcd/flagger/pkg/router"
)

type step struct {
	Op        string          `json:"op"`
	Primary   int             `json:"primary"`
	Canary    int             `json:"canary"`
	Mirrored  bool            `json:"mirrored"`
	Object    json.RawMessage `json:"object,omitempty"`
	Kind      string          `json:"kind,omitempty"`
	Namespace string          `json:"namespace,omitempty"`
	Name      string          `json:"name,omitempty"`
	Patch     json.RawMessage `json:"patch,omitempty"`
}

type testCase struct {
	Name                     string            `json:"name"`
	Provider                 string            `json:"provider"`
	LabelSelector            string            `json:"labelSelector"`
	IngressAnnotationsPrefix string            `json:"ingressAnnotationsPrefix"`
	IngressClass             string            `json:"ingressClass"`
	IncludeLabelPrefix       []string          `json:"includeLabelPrefix"`
	Canary                   json.RawMessage   `json:"canary"`
	Objects                  []json.RawMessage `json:"objects"`
	Steps                    []step            `json:"steps"`
	Dump                     []string          `json:"dump"`
	DumpStatus               bool              `json:"dumpStatus"`
}

type routes struct {
	Primary  int  `json:"primary"`
	Canary   int  `json:"canary"`
	Mirrored bool `json:"mirrored"`
}

type stepResult struct {
	Op      string                   `json:"op"`
	Error   string                   `json:"error,omitempty"`
	Routes  *routes                  `json:"routes,omitempty"`
	Objects []map[string]interface{} `json:"objects"`
	Status  *flaggerv1.CanaryStatus  `json:"status,omitempty"`
}

type caseResult struct {
	Name  string       `json:"name"`
	Steps []stepResult `json:"steps"`
}

// world is the fake cluster of one case: one fake clientset per API family, as Flagger has.
type world struct {
	kube    *kubefake.Clientset
	flagger *flaggerfake.Clientset
	mesh    *flaggerfake.Clientset
	knative *knativefake.Clientset
}

func (w world) trackers() []struct {
	t      k8stesting.ObjectTracker
	scheme *runtime.Scheme
} {
	return []struct {
		t      k8stesting.ObjectTracker
		scheme *runtime.Scheme
	}{
		{w.kube.Tracker(), kubescheme.Scheme},
		{w.mesh.Tracker(), flaggerscheme.Scheme},
		{w.flagger.Tracker(), flaggerscheme.Scheme},
		{w.knative.Tracker(), knativescheme.Scheme},
	}
}

// add decodes a seed object with whichever scheme knows its kind and adds it to that family's clientset.
func (w world) add(raw json.RawMessage) error {
	for _, tr := range w.trackers() {
		decoder := serializer.NewCodecFactory(tr.scheme).UniversalDeserializer()
		obj, _, err := decoder.Decode(raw, nil, nil)
		if err != nil {
			continue
		}
		if _, isCanary := obj.(*flaggerv1.Canary); isCanary && tr.t != w.flagger.Tracker() {
			continue
		}
		return tr.t.Add(obj)
	}
	return fmt.Errorf("no scheme knows %s", string(raw))
}

// set replaces a seed object (matched by kind, namespace and name) in whichever family's clientset knows its kind, or
// adds it when there is none.
func (w world) set(raw json.RawMessage) error {
	for _, tr := range w.trackers() {
		decoder := serializer.NewCodecFactory(tr.scheme).UniversalDeserializer()
		obj, gvk, err := decoder.Decode(raw, nil, nil)
		if err != nil {
			continue
		}
		if _, isCanary := obj.(*flaggerv1.Canary); isCanary {
			return fmt.Errorf("use setCanary to change the Canary")
		}
		m, err := meta.Accessor(obj)
		if err != nil {
			return err
		}
		gvr, _ := meta.UnsafeGuessKindToResource(*gvk)
		if _, err := tr.t.Get(gvr, m.GetNamespace(), m.GetName()); err != nil {
			return tr.t.Add(obj)
		}
		return tr.t.Update(gvr, obj, m.GetNamespace())
	}
	return fmt.Errorf("no scheme knows %s", string(raw))
}

func (w world) dump(kinds []string) ([]map[string]interface{}, error) {
	var out []map[string]interface{}
	for _, k := range kinds {
		i := strings.LastIndex(k, "/")
		gv, err := schema.ParseGroupVersion(k[:i])
		if err != nil {
			return nil, err
		}
		gvk := gv.WithKind(k[i+1:])
		gvr, _ := meta.UnsafeGuessKindToResource(gvk)
		found := false
		for _, tr := range w.trackers() {
			if !tr.scheme.Recognizes(gvk) {
				continue
			}
			list, err := tr.t.List(gvr, gvk, "")
			if err != nil {
				continue
			}
			found = true
			items, err := meta.ExtractList(list)
			if err != nil {
				return nil, err
			}
			for _, item := range items {
				u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(item)
				if err != nil {
					return nil, err
				}
				obj := unstructured.Unstructured{Object: u}
				obj.SetAPIVersion(gvk.GroupVersion().String())
				obj.SetKind(gvk.Kind)
				obj.SetResourceVersion("")
				unstructured.RemoveNestedField(obj.Object, "metadata", "creationTimestamp")
				// routers write specs and metadata; status belongs to the data plane
				delete(obj.Object, "status")
				out = append(out, obj.Object)
			}
			break
		}
		if !found {
			return nil, fmt.Errorf("no fake clientset serves %s", k)
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		return key(out[a]) < key(out[b])
	})
	return out, nil
}

// guarded runs a router call and reports a panic as the step's error (Flagger 1.44's KnativeRouter logs through a
// logger its factory never sets, so its Finalize panics whenever it has work to do).
func guarded(call func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return call()
}

// patch applies a JSON merge patch to one object of any fake clientset, status included.
func (w world) patch(kind, namespace, name string, patch []byte) error {
	i := strings.LastIndex(kind, "/")
	gv, err := schema.ParseGroupVersion(kind[:i])
	if err != nil {
		return err
	}
	gvk := gv.WithKind(kind[i+1:])
	gvr, _ := meta.UnsafeGuessKindToResource(gvk)
	for _, tr := range w.trackers() {
		if !tr.scheme.Recognizes(gvk) {
			continue
		}
		obj, err := tr.t.Get(gvr, namespace, name)
		if err != nil {
			continue
		}
		current, err := json.Marshal(obj)
		if err != nil {
			return err
		}
		patched, err := jsonpatch.MergePatch(current, patch)
		if err != nil {
			return err
		}
		next := obj.DeepCopyObject()
		if err := json.Unmarshal(patched, next); err != nil {
			return err
		}
		return tr.t.Update(gvr, next, namespace)
	}
	return fmt.Errorf("no fake clientset has %s %s/%s", kind, namespace, name)
}

func key(o map[string]interface{}) string {
	u := unstructured.Unstructured{Object: o}
	return u.GetKind() + "/" + u.GetNamespace() + "/" + u.GetName()
}

func run(c testCase, log *zap.SugaredLogger) (caseResult, error) {
	res := caseResult{Name: c.Name}
	canary := &flaggerv1.Canary{}
	if err := json.Unmarshal(c.Canary, canary); err != nil {
		return res, fmt.Errorf("canary: %w", err)
	}
	w := world{
		kube:    kubefake.NewSimpleClientset(),
		flagger: flaggerfake.NewSimpleClientset(canary),
		mesh:    flaggerfake.NewSimpleClientset(),
		knative: knativefake.NewSimpleClientset(),
	}
	for _, o := range c.Objects {
		if err := w.add(o); err != nil {
			return res, err
		}
	}
	label := c.LabelSelector
	if label == "" {
		label = "app"
	}
	prefix := c.IngressAnnotationsPrefix
	if prefix == "" {
		prefix = "nginx.ingress.kubernetes.io"
	}
	factory := router.NewFactory(nil, w.kube, w.flagger, w.knative, prefix, c.IngressClass, log, w.mesh, true)
	includeLabelPrefix := c.IncludeLabelPrefix
	if includeLabelPrefix == nil {
		includeLabelPrefix = []string{""}
	}
	workloads := flaggercanary.NewFactory(w.kube, w.flagger, w.knative, &flaggercanary.NopTracker{}, []string{label},
		includeLabelPrefix, log)
	for _, s := range c.Steps {
		r := stepResult{Op: s.Op}
		var err error
		mesh := factory.MeshRouter(c.Provider, label)
		switch s.Op {
		case "reconcile":
			kind := canary.Spec.TargetRef.Kind
			if kind == "Deployment" || kind == "DaemonSet" || kind == "" {
				value := canary.Spec.TargetRef.Name
				ports := map[string]int32{}
				kr := factory.KubernetesRouter(kind, label, value, ports)
				if err = kr.Initialize(canary); err == nil {
					err = kr.Reconcile(canary)
				}
			}
			if err == nil {
				err = mesh.Reconcile(canary)
			}
		case "setRoutes":
			err = mesh.SetRoutes(canary, s.Primary, s.Canary, s.Mirrored)
		case "getRoutes":
			p, cw, m, gerr := mesh.GetRoutes(canary)
			err = gerr
			if gerr == nil {
				r.Routes = &routes{Primary: p, Canary: cw, Mirrored: m}
			}
		case "finalize":
			err = guarded(func() error { return mesh.Finalize(canary) })
		case "initialize":
			_, err = workloads.Controller(canary.Spec.TargetRef).Initialize(canary)
		case "promote":
			err = workloads.Controller(canary.Spec.TargetRef).Promote(canary)
		case "scaleToZero":
			err = workloads.Controller(canary.Spec.TargetRef).ScaleToZero(canary)
		case "scaleFromZero":
			err = workloads.Controller(canary.Spec.TargetRef).ScaleFromZero(canary)
		case "patch":
			err = w.patch(s.Kind, s.Namespace, s.Name, s.Patch)
		case "setObject":
			err = w.set(s.Object)
		case "setCanary":
			next := &flaggerv1.Canary{}
			if err = json.Unmarshal(s.Object, next); err == nil {
				canary = next
			}
		default:
			err = fmt.Errorf("unknown op %q", s.Op)
		}
		if err != nil {
			r.Error = err.Error()
		}
		objects, derr := w.dump(c.Dump)
		if derr != nil {
			return res, derr
		}
		r.Objects = objects
		if c.DumpStatus {
			status := canary.Status.DeepCopy()
			r.Status = status
		}
		res.Steps = append(res.Steps, r)
	}
	if c.DumpStatus {
		return maskRandomCookies(res)
	}
	return res, nil
}

// maskRandomCookies replaces the random values of the session affinity cookies in the status ("name=value") by
// "random1", "random2", ... throughout the case's output, in order of first appearance.
func maskRandomCookies(res caseResult) (caseResult, error) {
	var values []string
	seen := map[string]bool{}
	for _, s := range res.Steps {
		if s.Status == nil {
			continue
		}
		for _, cookie := range []string{s.Status.SessionAffinityCookie, s.Status.PrimarySessionAffinityCookie,
			s.Status.PreviousSessionAffinityCookie} {
			parts := strings.SplitN(cookie, "=", 2)
			if len(parts) == 2 && len(parts[1]) == 10 && !strings.HasPrefix(parts[1], "random") && !seen[parts[1]] {
				seen[parts[1]] = true
				values = append(values, parts[1])
			}
		}
	}
	if len(values) == 0 {
		return res, nil
	}
	b, err := json.Marshal(res)
	if err != nil {
		return res, err
	}
	text := string(b)
	for i, v := range values {
		text = strings.ReplaceAll(text, v, fmt.Sprintf("random%d", i+1))
	}
	var out caseResult
	err = json.Unmarshal([]byte(text), &out)
	return out, err
}

func main() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var cases []testCase
	if err := json.Unmarshal(in, &cases); err != nil {
		fmt.Fprintln(os.Stderr, "cases:", err)
		os.Exit(1)
	}
	log := zap.NewNop().Sugar()
	var results []caseResult
	for _, c := range cases {
		r, err := run(c, log)
		if err != nil {
			fmt.Fprintf(os.Stderr, "case %s: %v\n", c.Name, err)
			os.Exit(1)
		}
		results = append(results, r)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
