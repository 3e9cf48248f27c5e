"""Runtime: how recipes run: the same numbers for the same seed, on a device and a strategy of your choice.

- `import_tensorflow_quietly()`: TensorFlow's import without its C++ start-up lines below
  `TF_CPP_MIN_LOG_LEVEL` (which TensorFlow 2.21 no longer honours while it loads).
- `set_deterministic(seed)`: the same seed on CPU gives the same numbers;
  `seed_generator_states`: the state of every Keras seed generator of a model (what a
  resumed or repeated run must restore to draw the same dropout masks).
- `array_batches`: in-memory arrays as tf.data batches, shuffled epoch after epoch (one
  gather per epoch), each epoch's order a function of the seed and the epoch;
  `batches_per_epoch`: its `steps_per_epoch`.
- `EpochBackup`: every epoch backed up, and a killed training resumed bit for bit
  (`--resume`); `EpochStore`, `check_backup_settings`: its parts.
- `select_device`, `make_strategy`, `cluster_spec`, `is_chief`: CPU or GPU, and
  `tf.distribute` (`MirroredStrategy`, `MultiWorkerMirroredStrategy` from `TF_CONFIG`).
- `Model`, `Sequential`, `DistributedTrainer`: Keras models whose `fit` works under every
  strategy with Keras 3.15 (keras-team/keras#20585, #20329), and says so clearly when a
  worker dies (`WorkerLostError`).
- `recipe_settings`: a recipe's one settings cell (`EPOCHS: positive_int = 60  # help`) as its
  command-line options in a script, and as the values to edit in a notebook (`in_notebook`: the
  kernel's own arguments are never read).
- `add_runtime_arguments`, `start_runtime`, `Runtime`: the options every recipe shares
  (`check_output_folder`: an output folder this process can write);
  `positive_int`, `non_negative_int`, `positive_float`, `non_negative_float`, `fraction`, `fractions`, `one_of`: their
  argparse types; `shortened`: the options below their defaults (a short run, said so).
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "_batches": ["array_batches", "batches_per_epoch"],
        "_arguments": ["non_negative_float", "non_negative_int", "positive_float", "positive_int", "fraction", "fractions",
                       "one_of", "shortened"],
        "_determinism": ["seed_generator_states", "set_deterministic"],
        "_quiet_start": ["import_tensorflow_quietly"],
        "_kernel": ["in_notebook"],
        "_settings": ["recipe_settings"],
        "_devices": ["DEVICES", "select_device"],
        "_trainer": ["DistributedTrainer", "Model", "Sequential", "WorkerLostError", "in_multi_worker_mode"],
        "_recipe": ["Runtime", "add_runtime_arguments", "check_output_folder", "start_runtime"],
        "_resume": ["EpochBackup", "EpochStore", "check_backup_settings"],
        "_strategy": ["STRATEGIES", "cluster_spec", "is_chief", "make_strategy"],
    },
)
