"""Running the model: replicate tasks, executors, the results-folder protocol, designs and checks."""
