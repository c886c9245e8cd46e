// Package k8s reads Kubernetes manifests (YAML or JSON, several documents
// per file, List kinds) into the pod specs of every workload kind, with
// the k8s.io/api types, keeping each document's YAML tree so findings can
// name the line of any field.
package k8s

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/inputerr"
	"github.com/bulwarksec/bulwark/pkg/core/yamldoc"
	"github.com/bulwarksec/bulwark/pkg/core/yamlpath"
	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// MaxSize caps a manifest file: larger ones are refused, not read.
const MaxSize = 16 << 20

// MaxObjects caps the objects of one manifest file (documents and List
// items together), and MaxNodes its YAML nodes: a file past them is
// refused. Each object is kept as a YAML tree and a typed spec, about
// 5 KB for the smallest Pod: 100,000 Pods in 10 MB held half a gigabyte.
// The largest real bundles (operators' CRDs, rendered charts) have
// hundreds of objects and a few hundred thousand nodes.
const (
	MaxObjects = 10_000
	MaxNodes   = 1 << 20
)

// Workload is a pod spec in a manifest: a Pod's own, or the template of a
// controller.
type Workload struct {
	File      string
	Kind      string
	Name      string
	Namespace string
	// Path is where the object sits in its document ("" at the root,
	// "items[2]" in a List); SpecPath is the pod spec's path from the
	// document root ("spec.template.spec").
	Path     string
	SpecPath string
	// Meta is the pod's (or pod template's) metadata: annotations carry
	// AppArmor profiles in older manifests.
	Meta *metav1.ObjectMeta
	Spec *corev1.PodSpec
	// AccountTokenOff is true when the pod's service account, defined in
	// the same input, sets automountServiceAccountToken: false itself.
	AccountTokenOff bool
	// Doc is the YAML document, for line numbers.
	Doc *yaml.Node
}

// Line returns the line of the field at path, relative to the pod spec
// ("containers[0].securityContext.privileged"), or of its nearest
// existing parent.
func (w *Workload) Line(path string) int {
	return yamlpath.KeyLine(w.Doc, w.FieldPath(path))
}

// FieldPath is the path of a pod-spec field from the document root.
func (w *Workload) FieldPath(path string) string {
	if path == "" {
		return w.SpecPath
	}
	if strings.HasPrefix(path, "[") {
		return w.SpecPath + path
	}
	return w.SpecPath + "." + path
}

// Object names one Kubernetes object in a file.
type Object struct {
	Kind, Name string
	Line       int
}

// File is a parsed manifest file.
type File struct {
	Name      string
	Workloads []*Workload
	// Skipped notes documents that are not Kubernetes objects.
	Skipped []string
	// Others are the objects that are not workloads (Service, ConfigMap,
	// custom resources ...): nothing to check, counted for the summary.
	Others []Object
	// Docs are the YAML documents, in order.
	Docs []*yaml.Node

	objects int
	// tokenOff are the ServiceAccounts ("namespace/name") that turn the
	// token off themselves.
	tokenOff map[string]bool
}

// IsManifest reports whether a document tree looks like a Kubernetes
// object (apiVersion and kind at the top).
func IsManifest(doc *yaml.Node) bool {
	av, ok1 := yamlpath.Find(doc, "apiVersion")
	k, ok2 := yamlpath.Find(doc, "kind")
	return ok1 && ok2 && av.Kind == yaml.ScalarNode && k.Kind == yaml.ScalarNode
}

// Documents splits src into YAML documents (JSON is YAML), with the YAML
// library's limits on aliases and yamldoc's on duplicate keys and size.
func Documents(name string, src []byte) ([]*yaml.Node, error) {
	if len(src) > MaxSize {
		return nil, inputerr.New(name, 0, fmt.Errorf("%d bytes is over the %d-byte limit for a manifest", len(src), MaxSize))
	}
	return yamldoc.Parse(name, src, yamldoc.MaxFileNodes(MaxNodes), yamldoc.MaxDocuments(MaxObjects))
}

// Parse reads a manifest file.
func Parse(name string, src []byte) (*File, error) {
	docs, err := Documents(name, src)
	if err != nil {
		return nil, err
	}
	return FromDocuments(name, docs)
}

// FromDocuments reads a manifest file from the documents Documents
// returned, for callers that looked at them first.
func FromDocuments(name string, docs []*yaml.Node) (*File, error) {
	f := &File{Name: name, Docs: docs}
	for _, d := range docs {
		if err := f.object(d, d.Content[0], ""); err != nil {
			return nil, err
		}
	}
	for _, w := range f.Workloads {
		sa := w.Spec.ServiceAccountName
		if sa == "" {
			sa = w.Spec.DeprecatedServiceAccount
		}
		if sa == "" {
			sa = "default"
		}
		w.AccountTokenOff = f.tokenOff[w.Namespace+"/"+sa]
	}
	return f, nil
}

type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
}

// apiVersions are the served API versions of the workload kinds.
var apiVersions = map[string]string{
	"Pod": "v1", "PodTemplate": "v1", "ReplicationController": "v1",
	"Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1", "ReplicaSet": "apps/v1",
	"Job": "batch/v1", "CronJob": "batch/v1",
}

// object reads the object at node (path "" or "items[i]" in a List).
func (f *File) object(doc, node *yaml.Node, path string) error {
	line := node.Line
	if f.objects++; f.objects > MaxObjects {
		return inputerr.New(f.Name, line, fmt.Errorf("more than %d objects in one manifest file", MaxObjects))
	}
	if node.Kind != yaml.MappingNode {
		f.Skipped = append(f.Skipped, fmt.Sprintf("%s:%d: not an object", f.Name, line))
		return nil
	}
	raw, err := toJSON(node)
	if err != nil {
		return inputerr.New(f.Name, line, err)
	}
	var tm typeMeta
	_ = json.Unmarshal(raw, &tm)
	if tm.Kind == "" || tm.APIVersion == "" {
		f.Skipped = append(f.Skipped, fmt.Sprintf("%s:%d: no apiVersion and kind: not a Kubernetes object", f.Name, line))
		return nil
	}
	if tm.Kind == "List" || strings.HasSuffix(tm.Kind, "List") {
		items, _ := yamlpath.Find(node, "items")
		if items == nil || items.Kind != yaml.SequenceNode {
			return nil
		}
		for i, it := range items.Content {
			if err := f.object(doc, it, join(path, fmt.Sprintf("items[%d]", i))); err != nil {
				return err
			}
		}
		return nil
	}
	if tm.Kind == "ServiceAccount" {
		if a := yamlpath.Get(node, "automountServiceAccountToken"); a != nil && a.Value == "false" {
			if f.tokenOff == nil {
				f.tokenOff = map[string]bool{}
			}
			f.tokenOff[tm.Metadata.Namespace+"/"+tm.Metadata.Name] = true
		}
	}
	want, known := apiVersions[tm.Kind]
	if !known {
		f.Others = append(f.Others, Object{Kind: tm.Kind, Name: tm.Metadata.Name, Line: line})
		return nil
	}
	if tm.APIVersion != want {
		return inputerr.New(f.Name, yamlpath.KeyLine(node, "apiVersion"), fmt.Errorf("apiVersion %s of %s is not served by Kubernetes; want %s", tm.APIVersion, tm.Kind, want))
	}
	w := &Workload{File: f.Name, Kind: tm.Kind, Name: tm.Metadata.Name, Namespace: tm.Metadata.Namespace, Path: path, Doc: doc}
	var specPath string
	switch tm.Kind {
	case "Pod":
		var o corev1.Pod
		err = decode(raw, &o)
		w.Meta, w.Spec, specPath = &o.ObjectMeta, &o.Spec, "spec"
	case "PodTemplate":
		var o corev1.PodTemplate
		err = decode(raw, &o)
		w.Meta, w.Spec, specPath = &o.Template.ObjectMeta, &o.Template.Spec, "template.spec"
	case "ReplicationController":
		var o corev1.ReplicationController
		err = decode(raw, &o)
		if err == nil && o.Spec.Template == nil {
			o.Spec.Template = &corev1.PodTemplateSpec{}
		}
		if err == nil {
			w.Meta, w.Spec = &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec
		}
		specPath = "spec.template.spec"
	case "Deployment":
		var o appsv1.Deployment
		err = decode(raw, &o)
		w.Meta, w.Spec, specPath = &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, "spec.template.spec"
	case "StatefulSet":
		var o appsv1.StatefulSet
		err = decode(raw, &o)
		w.Meta, w.Spec, specPath = &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, "spec.template.spec"
	case "DaemonSet":
		var o appsv1.DaemonSet
		err = decode(raw, &o)
		w.Meta, w.Spec, specPath = &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, "spec.template.spec"
	case "ReplicaSet":
		var o appsv1.ReplicaSet
		err = decode(raw, &o)
		w.Meta, w.Spec, specPath = &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, "spec.template.spec"
	case "Job":
		var o batchv1.Job
		err = decode(raw, &o)
		w.Meta, w.Spec, specPath = &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, "spec.template.spec"
	case "CronJob":
		var o batchv1.CronJob
		err = decode(raw, &o)
		w.Meta, w.Spec, specPath = &o.Spec.JobTemplate.Spec.Template.ObjectMeta, &o.Spec.JobTemplate.Spec.Template.Spec, "spec.jobTemplate.spec.template.spec"
	}
	if err != nil {
		return f.typeError(node, path, err)
	}
	w.SpecPath = join(path, specPath)
	if w.Spec != nil {
		applyDefaults(w.Spec)
	}
	f.Workloads = append(f.Workloads, w)
	return nil
}

// applyDefaults does what the API server's defaulting does before
// admission sees a pod, where it changes a Pod Security verdict: a volume
// with no source is an emptyDir, and with hostNetwork every container
// port's hostPort is its containerPort.
func applyDefaults(s *corev1.PodSpec) {
	for i := range s.Volumes {
		if reflect.DeepEqual(s.Volumes[i].VolumeSource, corev1.VolumeSource{}) {
			s.Volumes[i].EmptyDir = &corev1.EmptyDirVolumeSource{}
		}
	}
	if s.HostNetwork {
		for _, list := range [][]corev1.Container{s.InitContainers, s.Containers} {
			for i := range list {
				for j := range list[i].Ports {
					if p := &list[i].Ports[j]; p.HostPort == 0 {
						p.HostPort = p.ContainerPort
					}
				}
			}
		}
	}
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// decode is json.Unmarshal into the k8s.io/api type: the same decoding
// as kubectl's for JSON-compatible YAML.
func decode(raw []byte, v any) error { return json.Unmarshal(raw, v) }

// typeError turns a JSON type error into the field's line and a plain
// message.
func (f *File) typeError(node *yaml.Node, path string, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		line := yamlpath.KeyLine(node, field)
		return inputerr.New(f.Name, line, fmt.Errorf("%s: want %s, got a %s", join(path, field), te.Type.String(), te.Value))
	}
	return inputerr.New(f.Name, node.Line, err)
}

// toJSON converts a YAML node to JSON, as kubectl does (sigs.k8s.io/yaml's
// conversion), in linear time.
func toJSON(n *yaml.Node) ([]byte, error) {
	v, err := yamldoc.Value(n)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}
