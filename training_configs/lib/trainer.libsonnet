// Trainer pieces: the alternating-adapters callback and a default trainer around it.
{
  // [adapter, optimizer steps] turns, cycled; SEAL often gives the ScoreNN several steps.
  // 'joint' instead: both sides train in every step, from one forward and one backward
  // (about half an alternating cycle's cost); null: a single network, no callback.
  default_schedule:: [['scorenn', 1], ['tasknn', 1]],

  alternating(schedule=self.default_schedule)::
    if schedule == 'joint' then { type: 'adapter_schedule', mode: 'joint' }
    else { type: 'adapter_schedule', schedule: schedule },

  // Training batches. With a schedule (SEAL): each batch once per step of a schedule cycle,
  // in a row (repeat_each_batch), so the ScoreNN and the TaskNN both train on every batch.
  // Without one (schedule=null, a single network): plain shuffled batches. Validation and
  // test batches need no repetition: use `validation_loader`.
  // bucket=true: batches of similar length (less padding, fastest for sentences); false:
  // random batches, which tagging learns much faster from.
  seal_loader(batch_size=32, schedule=self.default_schedule, bucket=true)::
    if schedule == null then { batch_size: batch_size, shuffle: true }
    else if schedule == 'joint' then (
      if bucket then {
        batch_sampler: { type: 'bucket', batch_size: batch_size, sorting_keys: ['tokens'] },
      } else { batch_size: batch_size, shuffle: true }
    ) else {
      batch_sampler: {
        type: 'repeat_each_batch',
        times: std.foldl(function(total, turn) total + turn[1], schedule, 0),
      } + (if bucket then {
             batch_sampler: { type: 'bucket', batch_size: batch_size, sorting_keys: ['tokens'] },
           } else { batch_size: batch_size }),
    },
  validation_loader(batch_size=64):: { batch_size: batch_size, shuffle: false },

  trainer(num_epochs=3, lr=1e-3, schedule=self.default_schedule, patience=null,
          validation_metric='+accuracy', optimizer=null, cuda_device=-1, use_amp=false):: {
    num_epochs: num_epochs,
    cuda_device: cuda_device,
    use_amp: use_amp,
    validation_metric: validation_metric,
    [if patience != null then 'patience']: patience,
    optimizer: if optimizer != null then optimizer else { type: 'adamw', lr: lr, weight_decay: 0.01 },
    callbacks: if schedule == null then [] else [$.alternating(schedule)],
    // 'atomic': a run killed while saving leaves the previous checkpoint loadable.
    checkpointer: { type: 'atomic', keep_most_recent_by_count: 2 },
  },
}
