"""The commands behind `atlas`: build, new, depuis-formulaire, synth."""
