// Trainer pieces: the alternating-adapters callback and a default trainer around it.
{
  // [adapter, optimizer steps] turns, cycled; SEAL often gives the ScoreNN several steps.
  default_schedule:: [['scorenn', 1], ['tasknn', 1]],

  alternating(schedule=self.default_schedule):: {
    type: 'alternating_adapters',
    schedule: schedule,
  },

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
