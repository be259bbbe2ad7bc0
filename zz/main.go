package main
import ("context";"fmt";"os";"time";"sort";"github.com/ledgerloop/trueup/generator";"github.com/ledgerloop/trueup/generator/dialect/duckdb";"github.com/ledgerloop/trueup/internal/local")
func main(){ p,_:=generator.Compile("models"); ctx:=context.Background()
 r,_:=local.Open(ctx,"",p); r.Load(ctx,os.Args[1])
 db:=r.DB(); db.Exec("UPDATE ops.current_batch SET batch_id = 'x'")
 rr:=&duckdb.Renderer{}
 type st struct{d time.Duration; i int; task string; s string}
 var all []st
 for _, t := range p.Tasks() {
   if t.Task.Root {continue}
   for _, s := range t.Task.Consumes { db.Exec(fmt.Sprintf("UPDATE ops.stream_offsets SET reading_to = (SELECT COALESCE(MAX(%s),0) FROM %s) WHERE stream_name = '%s'", s.SequenceColumn, s.Table.String(), s.Ref.String())) }
   for i, step := range t.Task.Steps { q:=step(rr); t0:=time.Now(); if _,err:=db.Exec(q); err!=nil {fmt.Println(err)}; all=append(all, st{time.Since(t0), i, t.Ref.Name, q[:min(70,len(q))]}) }
   for _, s := range t.Task.Consumes { db.Exec("UPDATE ops.stream_offsets SET consumed_to = reading_to WHERE stream_name = '"+s.Ref.String()+"'") }
 }
 var tot time.Duration; for _,a:=range all{tot+=a.d}
 sort.Slice(all, func(i,j int)bool{return all[i].d>all[j].d})
 fmt.Println("total", tot, len(all)); for _,a:=range all[:14]{fmt.Printf("%v %s #%d %q\n", a.d.Round(time.Millisecond), a.task, a.i, a.s)}
 var n int; db.QueryRow("select count(*) from silver.observations").Scan(&n); fmt.Println("obs", n)
}
